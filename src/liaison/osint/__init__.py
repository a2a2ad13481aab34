# SPDX-License-Identifier: Apache-2.0
"""Situational awareness from open sources: sources and articles, extraction, stories,
contradictions, DISARM technique tags, and an analyst's marked assessments (issue 19)."""

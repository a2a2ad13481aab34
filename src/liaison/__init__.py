# SPDX-License-Identifier: Apache-2.0
"""Liaison: the system a partnership office works in."""

__version__ = "0.1.0"

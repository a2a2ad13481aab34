# SPDX-License-Identifier: Apache-2.0
"""Decisions: the allies' consensus on proposals — an ITPP to approve, an office to open, a
document to release, or free text — by meeting or silence procedure, with positions, linked
proposals and packages, and the effects of adoption published as domain events."""

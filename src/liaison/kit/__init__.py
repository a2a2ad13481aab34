# SPDX-License-Identifier: Apache-2.0
"""Generic parts with no domain words: pagination, sorting, the repository base, the clock."""

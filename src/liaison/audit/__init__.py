# SPDX-License-Identifier: Apache-2.0
"""Audit: every write, and every read of material above PUBLIC, appended in the same
transaction to a hash chain that ``liaison audit verify`` proves."""

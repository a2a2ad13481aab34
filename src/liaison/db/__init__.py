# SPDX-License-Identifier: Apache-2.0
"""Storage: declarative base, engines, the unit of work and migrations."""

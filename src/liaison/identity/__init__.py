# SPDX-License-Identifier: Apache-2.0
"""Identity: organisations, users, communities, API tokens and login sessions."""

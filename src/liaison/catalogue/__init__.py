# SPDX-License-Identifier: Apache-2.0
"""The cooperation catalogue: items, sessions, partner profiles, nominations, and the planner
that allocates the year's seats (``planning``)."""

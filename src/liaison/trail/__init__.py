# SPDX-License-Identifier: Apache-2.0
"""The audit trail's surfaces: API, page, export and ``liaison audit`` (the chain itself, and
the recorder every feature calls, live in ``liaison.audit``)."""

# SPDX-License-Identifier: Apache-2.0
"""The current request id (or CLI run id), for logs and the audit trail."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

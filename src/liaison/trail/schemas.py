# SPDX-License-Identifier: Apache-2.0
"""Audit event as the API and exports show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: dt.datetime
    request_id: str
    actor: str
    actor_user_id: int | None
    action: str
    object_type: str
    object_id: str
    marking: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str

# SPDX-License-Identifier: Apache-2.0
"""Per-user calendar-feed secrets.

A calendar client polls an address and cannot send a bearer header, so each user may ask for a
feed address holding a secret (``/calendar/<secret>.ics``). The secret is stored as SHA-256
only; asking again rotates it (the old address stops working). The feed is rendered as that
user — their clearance, nation and communities today — so it shows exactly what they may read,
and every read is audited under their name. A disabled user's address answers 404.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.recorder import Entry, record_one
from liaison.errors import Forbidden
from liaison.kit.clock import utcnow
from liaison.programmes.models import CalendarFeed
from liaison.programmes.service import ProgrammeService
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for, token_digest
from liaison.security.models import User
from liaison.security.principal import Principal

PREFIX = "cal_"


def rotate(session: Session, principal: Principal) -> str:
    """A new feed secret for the principal's user (replacing any earlier one)."""
    if principal.user_id is None:
        raise Forbidden("a calendar feed belongs to a user; log in first")
    secret = PREFIX + secrets.token_urlsafe(24)
    row = session.get(CalendarFeed, principal.user_id)
    if row is None:
        row = CalendarFeed(user_id=principal.user_id)
        session.add(row)
    row.secret_hash = token_digest(secret)
    row.created_at = utcnow()
    record_one(
        session,
        principal,
        Entry("programmes:calendar_feed:rotate", "calendar_feed", str(principal.user_id)),
    )
    return secret


def service_for_secret(session: Session, secret: str) -> ProgrammeService | None:
    """The programme service of the user behind a feed secret, acting as that user; None for
    an unknown or rotated secret or a disabled user."""
    if not secret.startswith(PREFIX) or len(secret) > 100:  # noqa: PLR2004 - a sane bound
        return None
    row = session.scalar(
        select(CalendarFeed).where(CalendarFeed.secret_hash == token_digest(secret))
    )
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return ProgrammeService(session, principal_for(session, user, nation_profile))

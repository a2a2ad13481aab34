# SPDX-License-Identifier: Apache-2.0
"""Notifications: in the app (a table), and by e-mail when SMTP is configured.

Invariants:
- a notification goes only to users who may read the proposal (``can_read`` with their own
  principal), and is listed only through its readable proposal (``ProposalRepository``);
- who is told: when a proposal opens, the users of every elector's delegation; when it is
  decided, the same and its author;
- e-mail is an outbox: rows are written in the decision's transaction and sent after it
  commits (``send_pending``, by the worker or ``liaison decisions tick``), each at most once
  (``emailed_at``). Without ``LIAISON_SMTP_HOST`` nothing is sent. An e-mail leaves the
  system, so it names the proposal only by reference, outcome, deadline and link — its title
  only when the proposal is PUBLIC — and tells the reader to sign in for the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.decisions.models import (
    Notification,
    NotificationAddress,
    NotificationKind,
    Proposal,
    ProposalElector,
)
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.models import Organisation, OrganisationKind, User
from liaison.security.policy import can_read

log = logging.getLogger(__name__)
EMAIL_WINDOW = dt.timedelta(days=7)  # older unsent notifications are not mailed late


def _delegation_users(session: Session, proposal: Proposal) -> list[User]:
    electorate = select(ProposalElector.ally_iso3).where(ProposalElector.proposal_id == proposal.id)
    stmt = (
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            Organisation.kind == OrganisationKind.ALLY_DELEGATION,
            Organisation.nation_iso3.in_(electorate),
            User.disabled.is_(False),
        )
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def notify(session: Session, proposal: Proposal, kind: NotificationKind, now: dt.datetime) -> int:
    """Tell the users concerned who may read ``proposal``; return how many."""
    users = _delegation_users(session, proposal)
    if kind is NotificationKind.DECIDED:
        author = session.scalar(select(User).where(User.username == proposal.opened_by))
        if author is not None and not author.disabled and author not in users:
            users.append(author)
    marking = MarkingStore(session).get(proposal.marking_id)
    told = 0
    for user in users:
        if can_read(principal_for(session, user, nation_profile), marking, now.date()):
            session.add(
                Notification(user_id=user.id, proposal_id=proposal.id, kind=kind, created_at=now)
            )
            told += 1
    return told


def build_message(
    settings: Settings,
    to: str,
    notification: Notification,
    proposal: Proposal,
    level: Classification,
) -> EmailMessage:
    """The e-mail for one notification (no marked content: see the module docstring)."""
    link = f"{settings.public_url.rstrip('/')}/decisions/{proposal.id}"
    named = (
        f"{proposal.reference}: {proposal.title}"
        if level is Classification.PUBLIC
        else proposal.reference
    )
    if notification.kind is NotificationKind.OPENED:
        subject = f"[Liaison] {proposal.reference} awaits your delegation's position"
        deadline = "It will be decided at a meeting."
        if proposal.deadline:
            ends = proposal.deadline.strftime("%Y-%m-%d %H:%M")
            deadline = f"The {proposal.procedure.value} procedure ends {ends} UTC."
        body = f"A proposal was opened: {named}.\n{deadline}\n"
    else:
        subject = f"[Liaison] {proposal.reference} {proposal.outcome.value}"
        body = f"The proposal {named} is {proposal.outcome.value}.\n"
    if level is not Classification.PUBLIC:
        body += f"It is marked {level.value}: sign in to read it.\n"
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"{body}\n{link}\n")
    return message


def send_pending(session: Session, settings: Settings, now: dt.datetime) -> int:
    """E-mail the notifications not yet sent to users with an address; return how many were
    sent. Does nothing when SMTP is not configured."""
    if not settings.smtp_host:
        return 0
    rows = session.execute(
        select(Notification, Proposal, NotificationAddress.email)
        .join(Proposal, Proposal.id == Notification.proposal_id)
        .join(NotificationAddress, NotificationAddress.user_id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.created_at >= now - EMAIL_WINDOW)
        .order_by(Notification.id)
        .limit(500)
    ).all()
    if not rows:
        return 0
    markings = MarkingStore(session).many(p.marking_id for _, p, _ in rows)
    sent = 0
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            for notification, proposal, email in rows:
                level = markings[proposal.marking_id].level
                smtp.send_message(build_message(settings, email, notification, proposal, level))
                notification.emailed_at = now
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail notifications: %s (sent %d before the failure)", exc, sent)
    return sent

# SPDX-License-Identifier: Apache-2.0
"""The one write policy: who may change, re-mark or delete a record (DESIGN.md, "write is
allowed iff the principal may read the record and holds the write right for its kind on its
side").

A record has an **owner** (``Owner``): the side it belongs to and, for a partner's record, the
organisation (mission) that made it. Alliance material — programmes, decisions, the registry,
and every document an ally-side user or the console made — is owned by the alliance side.

``write_refusal(principal, owner, marking, right)`` says whether ``principal`` may write:

1. it must read the record (``can_read``); if not, the record is hidden and the write is
   answered like a missing record (404, same words) — ``Refusal.HIDDEN``;
2. it must hold the kind's write right (``right``, a ``Permission``);
3. and one of: it administers records (``security:record:administer``, the admin role, or the
   console); the record is alliance material and the principal is on the alliance side; the
   record is a partner's and the principal works for the owning organisation.

A partner therefore never changes, re-marks or deletes alliance material because it was
released to it, and one partner never touches another's. Lowering a marking needs, on top, the
kind's downgrade right (each feature names it, e.g. ``documents:document:downgrade``); raising
or changing it needs the new marking to be one the writer may read.

``guard_write`` is the same decision as a service-level check that raises: the caller's
not-found error for a hidden record, ``WriteRefused`` (403) otherwise. Its text names the
permission that is missing, or says only that the record is not the caller's to change — never
who owns it or anything the caller could not already read. Services call it inside the unit of
work that writes, after reading the record through the policy, so the check and the write see
the same row.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from liaison.errors import LiaisonError
from liaison.security.classification import Classification
from liaison.security.markings import Marking
from liaison.security.permissions import Permission
from liaison.security.policy import can_read
from liaison.security.principal import Principal, Side


class WriteRefused(LiaisonError):
    """A write the principal may not make on a record it may read (or a write it lacks the
    permission for). Never raised for a hidden record: that is the feature's 404."""

    status_code = 403
    title = "Forbidden"


# How a feature says "403" (its own error type, so its callers catch one type); the default is
# ``WriteRefused``. It must answer 403.
Refuse = Callable[[str], LiaisonError]

NOT_YOURS = (
    "you may read this {what} but not change it: only its owner's organisation (the alliance "
    "side, for alliance material) or an administrator may"
)


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a record belongs to: ``Side.ALLY`` (alliance material) or ``Side.PARTNER`` with the
    owning organisation's id."""

    side: Side
    organisation_id: int | None = None

    def __post_init__(self) -> None:
        if self.side not in {Side.ALLY, Side.PARTNER}:
            msg = f"a record is owned by the ally or the partner side, not {self.side}"
            raise ValueError(msg)

    @classmethod
    def of(cls, side: str, organisation_id: int | None) -> Owner:
        """The owner stored on a row (``security.models.Owned``)."""
        return cls(Side(str(side)), organisation_id)


ALLIANCE = Owner(Side.ALLY)

# The marking of a record that carries none (the registry's allies, partners, frameworks,
# offices and mandates are public facts): everybody reads it, so only the right and the side
# decide who writes it.
UNMARKED = Marking(Classification.PUBLIC)


def owner_for(principal: Principal) -> Owner:
    """The owner of a record ``principal`` creates: its organisation on its side (the console
    creates alliance material)."""
    if principal.side is Side.PARTNER:
        return Owner(Side.PARTNER, principal.organisation_id)
    return Owner(Side.ALLY, principal.organisation_id)


class Refusal(enum.Enum):
    HIDDEN = "hidden"  # the principal may not read the record: answer as for a missing one
    PERMISSION = "permission"  # it lacks the kind's write right
    NOT_OWNER = "not_owner"  # it reads the record, holds the right, but it is not its side's


def administers(principal: Principal) -> bool:
    """The console and holders of ``security:record:administer`` (the admin role)."""
    return principal.side is Side.SYSTEM or principal.can(Permission.SECURITY_RECORD_ADMINISTER)


def on_owning_side(principal: Principal, owner: Owner) -> bool:
    """The side rule alone: alliance material is written by the alliance side, a partner's
    record by the organisation that owns it."""
    if administers(principal):
        return True
    if owner.side is Side.ALLY:
        return principal.side is Side.ALLY
    return (
        principal.side is Side.PARTNER
        and owner.organisation_id is not None
        and principal.organisation_id == owner.organisation_id
    )


def write_refusal(
    principal: Principal,
    owner: Owner,
    marking: Marking,
    right: Permission,
    *,
    on: dt.date | None = None,
) -> Refusal | None:
    """Why ``principal`` may not write a record owned by ``owner`` under ``marking`` with the
    kind's write ``right``; ``None`` when it may."""
    if not can_read(principal, marking, on=on):
        return Refusal.HIDDEN
    if not principal.can(right):
        return Refusal.PERMISSION
    if not on_owning_side(principal, owner):
        return Refusal.NOT_OWNER
    return None


def can_write(
    principal: Principal,
    owner: Owner,
    marking: Marking,
    right: Permission,
    *,
    on: dt.date | None = None,
) -> bool:
    return write_refusal(principal, owner, marking, right, on=on) is None


def guard_write(
    principal: Principal,
    owner: Owner,
    marking: Marking,
    right: Permission,
    *,
    hidden: Callable[[], Exception],
    what: str,
    refused: Refuse = WriteRefused,
) -> None:
    """Raise unless ``principal`` may write the record: ``hidden()`` (the feature's not-found
    error, word for word that of a missing id) when it may not read it, ``refused(text)`` (a
    403: ``WriteRefused``, or the feature's own 403 error)
    otherwise. ``what`` names the kind in the refusal ("document")."""
    refusal = write_refusal(principal, owner, marking, right)
    if refusal is None:
        return
    if refusal is Refusal.HIDDEN:
        raise hidden()
    if refusal is Refusal.PERMISSION:
        raise refused(f"this needs the permission {right}")
    raise refused(NOT_YOURS.format(what=what))


def can_write_side(principal: Principal, owner: Owner, right: Permission) -> bool:
    """Whether ``principal`` holds ``right`` on ``owner``'s side — what a page asks before it
    shows a write button for records of that side (each write is still checked in full)."""
    return principal.can(right) and on_owning_side(principal, owner)


def guard_right(principal: Principal, right: Permission, refused: Refuse = WriteRefused) -> None:
    """A write that names no existing record and makes one the principal will own (a partner's
    upload): the kind's right is enough; the feature checks that the new record's marking is
    one the principal may read."""
    if not principal.can(right):
        raise refused(f"this needs the permission {right}")


def guard_create(
    principal: Principal,
    owner: Owner,
    right: Permission,
    *,
    what: str,
    refused: Refuse = WriteRefused,
) -> None:
    """A new record owned by ``owner`` (``ALLIANCE`` for alliance material): the kind's right,
    and the owner's side — a partner does not create alliance material, whatever its roles.
    The feature checks the new record's marking is one the principal may read."""
    guard_right(principal, right, refused)
    if not on_owning_side(principal, owner):
        raise refused(
            f"only the alliance side or an administrator may create a {what}"
            if owner.side is Side.ALLY
            else f"only its owner's organisation may create this {what}"
        )

# SPDX-License-Identifier: Apache-2.0
"""The documents' side of decisions (``liaison.events``): releases to partners.

- describer for ``SubjectKind.DOCUMENT_RELEASE`` (ref: the document id): the document's title,
  page and marking, as the principal may read it (a hidden document is "no document N");
- on ``ProposalAdopted`` for a release: the document's releasability widens by
  ``event.release_to`` — the same level, caveats and need-to-know, more release codes — through
  ``DocumentService.remark`` as the console (audited as a downgrade, with the decision as the
  reason). It never narrows: codes already covered are left alone, a PUBLIC document is left as
  it is, and a second delivery of the event changes nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.documents.errors import DocumentNotFound
from liaison.documents.schemas import MarkingChange
from liaison.documents.service import DocumentService
from liaison.events import ProposalAdopted, SubjectInfo, SubjectKind, register_subject, subscribe
from liaison.kit.ids import parse_id
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.principal import SYSTEM, Principal


def _document_id(ref: str | None) -> int | None:
    return parse_id((ref or "").strip())


def describe_document(session: Session, principal: Principal, ref: str) -> SubjectInfo:
    document_id = _document_id(ref)
    if document_id is None:
        raise DocumentNotFound(ref)
    view = DocumentService(session, principal).get(document_id)
    why = ""
    if view.marking.level is Classification.PUBLIC:
        why = "the document is public already"
    elif view.marking.caveats:
        why = "a document under a caveat (ATOMAL, BOHEMIA) is never released to partners"
    return SubjectInfo(
        title=f"Release of {view.document.title}",
        href=f"/documents/{document_id}",
        state=view.short,
        decidable=not why,
        why=why,
    )


def on_adopted(session: Session, event: ProposalAdopted) -> None:
    if event.subject_kind is not SubjectKind.DOCUMENT_RELEASE or not event.release_to:
        return
    document_id = _document_id(event.subject_ref)
    if document_id is None:
        return
    service = DocumentService(session, SYSTEM)
    try:
        view = service.get(document_id)
    except DocumentNotFound:
        return  # deleted since the proposal opened: nothing to release
    old = view.marking
    if old.level is Classification.PUBLIC:
        return
    wider = old.releasable_to | frozenset(event.release_to)
    if wider == old.releasable_to:
        return
    new = Marking(old.level, wider, old.caveats, old.communities, old.tlp)
    service.remark(
        document_id,
        MarkingChange(marking=short(new), reason=f"released by decision {event.reference}"),
    )


def install() -> None:
    register_subject(SubjectKind.DOCUMENT_RELEASE, describe_document)
    subscribe(ProposalAdopted, on_adopted)

# SPDX-License-Identifier: Apache-2.0
"""The document service on both databases: the SQL face of the policy agrees with
``can_read``, reads and writes leave the right audit events (and never the text), a write
the writer could not read back is rolled back, and the search index follows every write."""

from __future__ import annotations

import pytest
from document_helpers import ALL, USERS, VISIBLE
from sqlalchemy import func, select, text

from document_tally import tally_matches_the_documents
from liaison.audit.chain import verify
from liaison.audit.models import AuditEvent
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_documents
from liaison.documents import search
from liaison.documents.errors import DocumentNotFound
from liaison.documents.models import Document, DocumentBlob, DocumentKind
from liaison.documents.repository import DocumentFilters, DocumentRepository
from liaison.documents.schemas import DocumentUpdate, MarkingChange, NoteCreate
from liaison.documents.service import DocumentService
from liaison.identity.service import IdentityService
from liaison.kit.pagination import PageRequest
from liaison.registry.service import nation_profile
from liaison.security import readers
from liaison.security.authn import principal_for
from liaison.security.classification import Classification
from liaison.security.marking_store import MarkingStore
from liaison.security.policy import can_read
from liaison.security.principal import ANONYMOUS, SYSTEM
from liaison.security.readers import MarkingAboveReader

EVERYTHING = PageRequest(limit=500)


@pytest.fixture
def uow(engine):
    def open_():
        return unit_of_work(session_factory(engine))

    return open_


def principal(session, username):
    if username is None:
        return ANONYMOUS
    user = IdentityService(session, SYSTEM).user(username)
    return principal_for(session, user, nation_profile)


def service_as(session, username):
    return DocumentService(session, principal(session, username))


def actions(session, since=0):
    stmt = select(AuditEvent).where(AuditEvent.seq > since).order_by(AuditEvent.seq)
    return list(session.scalars(stmt))


def last_seq(session):
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


@pytest.mark.parametrize("username", [None, *USERS])
def test_sql_face_agrees_with_can_read(uow, docs, username):
    with uow() as session:
        who = principal(session, username)
        views, total = DocumentService(session, who).find(DocumentFilters(), EVERYTHING)
        listed = {v.document.id for v in views}
        rows = session.execute(select(Document.id, Document.marking_id)).all()
        markings = MarkingStore(session).many(m for _, m in rows)
        allowed = {i for i, m in rows if can_read(who, markings[m])}
    assert listed == allowed
    assert total == len(allowed) == len(VISIBLE[username])


def test_list_reads_are_audited_one_event_per_row_above_public(uow, docs):
    with uow() as session:
        since = last_seq(session)
        views, _ = service_as(session, "japan").find(DocumentFilters(), EVERYTHING)
        events = actions(session, since)
    marked = [v for v in views if v.short != "PUBLIC"]
    assert len(marked) == 3
    assert [e.action for e in events] == ["documents:document:read"] * 3
    assert {(int(e.object_id), e.marking_id) for e in events} == {
        (v.document.id, v.document.marking_id) for v in marked
    }
    assert {e.actor for e in events} == {"japan"}


@pytest.mark.parametrize(
    ("call", "action"),
    [
        (lambda s, i: s.get(i), "documents:document:read"),
        (lambda s, i: s.preview(i), "documents:document:preview"),
        (lambda s, i: s.download(i), "documents:document:download"),
    ],
)
def test_single_reads_are_audited(uow, docs, call, action):
    with uow() as session:
        since = last_seq(session)
        service = service_as(session, "japan")
        call(service, docs["minutes"])
        call(service, docs["press"])  # PUBLIC: no event
        events = actions(session, since)
    assert [(e.action, e.object_id) for e in events] == [(action, str(docs["minutes"]))]


def test_counts_and_facets_are_not_reads(uow, docs):
    with uow() as session:
        since = last_seq(session)
        service = service_as(session, "officer")
        assert service.count(DocumentFilters()) == 12
        assert sum(service.facets(DocumentFilters())["level"].values()) == 12
        assert actions(session, since) == []


def test_audit_never_holds_the_text_or_bytes(uow, docs, engine):
    body = "aardvark-7731 is the unique word of this body"
    with uow() as session:
        service = service_as(session, "officer")
        made = service.add_note(NoteCreate(title="Plain title", body=body, marking="NR"))
        service.update(made.document.id, DocumentUpdate(title="Plainer title"))
        service.remark(made.document.id, MarkingChange(marking="NU", reason="routine review"))
        service.preview(made.document.id)
        service.delete(made.document.id)
    with uow() as session:
        dumped = " ".join(f"{e.before} {e.after}" for e in session.scalars(select(AuditEvent)))
        assert "aardvark" not in dumped
        assert verify(session).ok


def test_a_write_the_writer_cannot_read_back_is_rolled_back(uow, docs, monkeypatch):
    # Break the first check on purpose: the check after write must still refuse.
    monkeypatch.setattr(readers, "can_read", lambda *_: True)
    with pytest.raises(MarkingAboveReader), uow() as session:
        service_as(session, "japan").add_note(NoteCreate(title="Leak", body="b", marking="NC"))
    with uow() as session:
        assert session.scalar(select(Document).where(Document.title == "Leak")) is None


def test_remark_rechecks_after_write(uow, docs, monkeypatch, own_note):
    mine = own_note("japan", "NR // REL JPN", "Japan: own minutes")
    monkeypatch.setattr(readers, "can_read", lambda *_: True)
    with pytest.raises(MarkingAboveReader), uow() as session:
        service_as(session, "japan").remark(mine, MarkingChange(marking="NS"))
    with uow() as session:
        assert service_as(session, "japan").get(mine).short == "NR // REL JPN"


def test_search_index_follows_rename_and_delete(uow, docs):
    def hits(session, q):
        views, _ = service_as(session, "officer").find(DocumentFilters(query=q), EVERYTHING)
        return {v.document.id for v in views}

    with uow() as session:
        service_as(session, "officer").update(docs["glossary"], DocumentUpdate(title="Lexicon"))
    with uow() as session:
        assert hits(session, "lexicon") == {docs["glossary"]}
        assert docs["glossary"] in hits(session, "IPCP")  # the body is still indexed
        assert hits(session, "glossary") == set()
        service_as(session, "officer").delete(docs["glossary"])
    with uow() as session:
        assert hits(session, "IPCP") == set()
        assert session.get(DocumentBlob, docs["glossary"]) is None
        if session.get_bind().dialect.name == "sqlite":
            rows = session.scalar(
                text("SELECT count(*) FROM document_fts WHERE rowid = :i"), {"i": docs["glossary"]}
            )
            assert rows == 0


def test_hidden_is_not_found_in_the_service(uow, docs):
    with uow() as session:
        service = service_as(session, "korea")
        for call in (service.get, service.preview, service.download, service.delete):
            with pytest.raises(DocumentNotFound, match=f"no document {docs['tokyo']}$"):
                call(docs["tokyo"])


def test_system_reads_everything_including_atomal(uow, docs):
    with uow() as session:
        views, total = DocumentService(session, SYSTEM).find(DocumentFilters(), EVERYTHING)
    assert total == len(ALL)
    assert "NS-A" in {v.short for v in views}


def test_demo_documents_are_idempotent(uow, docs):
    with uow() as session:
        create_demo_documents(session)
        assert session.scalar(select(func.count()).select_from(Document)) == len(ALL)


FILTERS = [
    DocumentFilters(),
    DocumentFilters(level=Classification.NATO_RESTRICTED),
    DocumentFilters(kind=DocumentKind.FILE),
    DocumentFilters(release_codes=frozenset({"JPN"})),
    DocumentFilters(level=Classification.NATO_UNCLASSIFIED, kind=DocumentKind.NOTE),
]


def _counts_agree(session):
    for username in [None, *USERS]:
        repo = DocumentRepository(session, principal(session, username))
        for filters in FILTERS:
            assert repo.count(filters) == repo.counted(filters), (username, filters)
            # the facets by the tally and by counting the documents
            by_tally = repo.facets(filters)
            levels, kinds = repo._facets_counted(filters)
            assert by_tally == {
                "level": {str(level): int(n) for level, n in levels},
                "kind": {str(kind): int(n) for kind, n in kinds},
            }, (username, filters)


def _add_and_roll_back(uow):
    with uow() as session:
        service_as(session, "officer").add_note(NoteCreate(title="Gone", body="x", marking="NC"))
        raise RuntimeError  # the unit of work rolls back: the tally with it


def test_the_tally_follows_every_write_and_rollback(uow, docs):
    """Counts and facets without a text search add up the tally; it must equal the documents
    after inserts, uploads, re-markings, deletions and a rolled-back write."""
    with uow() as session:
        tally_matches_the_documents(session)
        _counts_agree(session)
        officer = service_as(session, "officer")
        note = officer.add_note(NoteCreate(title="Tally", body="one", marking="NR // REL JPN"))
        officer.upload(
            title="Tally file", filename="t.txt", declared_type=None, data=b"two", marking="NU"
        )
        officer.remark(note.document.id, MarkingChange(marking="NS"))
        officer.delete(docs["minutes"])
        tally_matches_the_documents(session)
    with uow() as session:
        _counts_agree(session)
    with pytest.raises(RuntimeError):
        _add_and_roll_back(uow)
    with uow() as session:
        tally_matches_the_documents(session)
        _counts_agree(session)


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (None, "ix_document_updated_at_id"),  # the list's default: newest change first
        ("-created_at", "ix_document_created_at_id"),
        ("created_at", "ix_document_created_at_id"),
        ("title", "ix_document_title_id"),
        ("-size", "ix_document_size_id"),
    ],
)
@pytest.mark.parametrize("username", ["officer", "korea"])
def test_a_list_page_reads_its_sort_index_instead_of_sorting(uow, docs, sort, index, username):
    """A page of a sorted list reads the index (column, id) in order and stops after its LIMIT
    (migration 0013); without it, every readable document was sorted for each page."""
    with uow() as session:
        dialect = session.get_bind().dialect.name
        repo = DocumentRepository(session, principal(session, username))
        stmt = repo.page_statement(DocumentFilters(), PageRequest(limit=20, sort=sort))
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        if dialect == "postgresql":  # a handful of rows: without this a sort is cheaper
            session.execute(text("SET LOCAL enable_sort = off"))
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
        else:
            plan = "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        listed = [h.document.id for h in repo.find(DocumentFilters(), PageRequest(sort=sort))[0]]
        assert len(listed) == len(set(listed)) == len(VISIBLE[username])
    assert index in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_search_uses_the_full_text_index(uow, docs):
    """Each backend's plan goes through its index (the FTS5 table, or the GIN expression
    index — which the query's expression must match exactly to be used)."""
    with uow() as session:
        dialect = session.get_bind().dialect.name
        found = search.match(session, "cyber brief")
        stmt = found.join(select(Document.id)).where(found.condition)
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        if dialect == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
        else:
            plan = "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    index = "ix_document_search" if dialect == "postgresql" else "document_fts VIRTUAL TABLE INDEX"
    assert index in plan, plan

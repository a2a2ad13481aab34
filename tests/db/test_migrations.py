"""Migrations that move or fill data, each down and up again on both backends: every row
survives and what the new revision fills agrees with the data (documents 0002, 0011, 0012;
markings' framed lists 0010; document owners 0014)."""

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from document_tally import tally_matches_the_documents
from leak_probes import principal_of
from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.demo import create_demo_documents
from liaison.documents.models import Document, DocumentOwner, DocumentTally
from liaison.documents.repository import DocumentFilters
from liaison.documents.schemas import NoteCreate
from liaison.documents.service import DocumentService
from liaison.identity.service import IdentityService
from liaison.kit.pagination import PageRequest
from liaison.migrations import alembic_config, downgrade, upgrade
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.marking_store import MarkingStore, forget_all
from liaison.security.markings import Caveat
from liaison.security.models import MarkingRow, Organisation, OwnerSide
from liaison.security.policy import can_read, readable
from liaison.security.principal import SYSTEM
from policy_probes import JAPAN, KOREA, _AsMarked, _expected, _lists, ally, universe

EVERYTHING = PageRequest(limit=500)
MINUTES = "Japan staff talks: minutes"  # a demo document


@pytest.fixture
def docs(engine) -> dict[str, int]:
    """The demo documents in this test's database: title → id."""
    with unit_of_work(session_factory(engine)) as session:
        create_demo_documents(session)
        return dict(session.execute(select(Document.title, Document.id)).all())


def service_as(session, username):
    user = IdentityService(session, SYSTEM).user(username)
    return DocumentService(session, principal_for(session, user, nation_profile))


def _down_and_up(engine, revision):
    downgrade(engine, revision)
    upgrade(engine)


def test_migration_downgrades_and_upgrades(db_url, docs):
    engine = build_engine(db_url)
    _down_and_up(engine, "0002")
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        service_as(session, "officer").add_note(
            NoteCreate(title="After", body="wallaby", marking="NU")
        )
    with unit_of_work(session_factory(engine)) as session:
        views, _ = service_as(session, "officer").find(DocumentFilters(query="wallaby"), EVERYTHING)
        assert [v.document.title for v in views] == ["After"]
    engine.dispose()


def test_migration_0012_fills_the_tally_from_the_documents(db_url, docs):
    engine = build_engine(db_url)
    _down_and_up(engine, "0011")
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(DocumentTally)) > 0
        tally_matches_the_documents(session)
    engine.dispose()


def _document_rows(connection):
    names = [c.name for c in Document.__table__.columns]
    rows = connection.execute(text(f"SELECT {', '.join(names)} FROM document ORDER BY id"))
    blobs = connection.execute(text("SELECT document_id, data FROM document_blob ORDER BY 1"))
    return [dict(zip(names, r, strict=True)) for r in rows], blobs.all()


def _column_order(connection, backend):
    if backend == "sqlite":
        return [r[1] for r in connection.execute(text("PRAGMA table_info(document)"))]
    return (
        connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'document' ORDER BY ordinal_position"
            )
        )
        .scalars()
        .all()
    )


def test_migration_0011_moves_the_small_columns_first_and_keeps_every_row(db_url, backend, docs):
    """On SQLite the table is rebuilt (the id, the marking and the fixed-size columns first, the
    text last); every row and blob survives both ways, the blobs' foreign key still refers to
    the table and still cascades, and search still finds the documents."""
    engine = build_engine(db_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        before = _document_rows(connection)
        assert before[0]  # the demo documents
        assert before[1]  # and their bytes
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        old = _column_order(connection, backend)
        assert _document_rows(connection) == before
        command.upgrade(config, "head")
        new = _column_order(connection, backend)
        assert _document_rows(connection) == before
    if backend == "sqlite":
        assert old.index("extracted_text") < old.index("marking_id")
        assert new[:2] == ["id", "marking_id"]
        assert new[-1] == "extracted_text"
    else:
        assert new == old  # PostgreSQL's table is left as it was
    assert sorted(new) == sorted(old)
    with unit_of_work(session_factory(engine)) as session:
        views, _ = service_as(session, "officer").find(DocumentFilters(query="minutes"), EVERYTHING)
        assert docs[MINUTES] in {v.document.id for v in views}
        blob_owner = before[1][0][0]
        session.execute(text("DELETE FROM document WHERE id = :i"), {"i": blob_owner})
        gone = session.execute(
            text("SELECT count(*) FROM document_blob WHERE document_id = :i"), {"i": blob_owner}
        ).scalar_one()
        assert gone == 0  # the cascade still runs from the rebuilt table
        session.rollback()
    with pytest.raises(IntegrityError), unit_of_work(session_factory(engine)) as session:
        session.execute(
            text("INSERT INTO document_blob (document_id, data) VALUES (-1, :d)"), {"d": b"0"}
        )
    engine.dispose()


def test_the_migration_back_fills_the_lists_from_the_child_tables(db_url):
    engine = build_engine(db_url)
    with unit_of_work(session_factory(engine)) as session:
        store = MarkingStore(session)
        ids = {store.intern(m): m for m in universe()}
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        columns = {
            r[0]
            for r in connection.execute(text("SELECT * FROM marking LIMIT 0")).cursor.description
        }
        assert not columns & {"release_list", "caveat_list", "community_list"}
        command.upgrade(config, "head")
    forget_all()
    with unit_of_work(session_factory(engine)) as session:
        assert _lists(session, ids) == _expected(ids)
        for reader in (JAPAN, KOREA, ally(), ally(caveats={Caveat.ATOMAL}, communities={"cyber"})):
            stmt = readable(select(MarkingRow.id).where(MarkingRow.id.in_(ids)), reader, _AsMarked)
            assert set(session.scalars(stmt)) == {i for i, m in ids.items() if can_read(reader, m)}
    engine.dispose()


def test_migration_0014_backfills_the_owners(engine, db_url):
    japan, officer = principal_of(engine, "japan"), principal_of(engine, "officer")
    with unit_of_work(session_factory(engine)) as session:
        ours = DocumentService(session, japan).add_note(
            NoteCreate(title="Ours", body="b", marking="NU // REL JPN")
        )
        theirs = DocumentService(session, SYSTEM).add_note(
            NoteCreate(title="Alliance", body="b", marking="NU")
        )
        officers = DocumentService(session, officer).add_note(
            NoteCreate(title="Officer's", body="b", marking="NU")
        )
        ids = (ours.document.id, theirs.document.id, officers.document.id)
    config = alembic_config(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
        command.upgrade(config, "head")
    with unit_of_work(session_factory(engine)) as session:
        owners = {
            o.document_id: (o.owner_side, o.owner_organisation_id)
            for o in session.scalars(select(DocumentOwner))
        }
        org = dict(session.execute(select(Organisation.name, Organisation.id)).all())
    assert owners[ids[0]] == (OwnerSide.PARTNER, org["Mission of Japan to NATO"])
    assert owners[ids[1]] == (OwnerSide.ALLY, None)
    assert owners[ids[2]] == (OwnerSide.ALLY, officer.organisation_id)

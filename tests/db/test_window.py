"""``kit.pagination.window``: a page's LIMIT and OFFSET are written into the SQL, the rows are
those of the whole ordered result sliced, and PostgreSQL keeps one plan for a list query."""

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, event, select, text

from liaison.kit.pagination import order_by, window
from liaison.security.models import MarkingRow


def _executed(engine):
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def test_limit_and_offset_are_written_into_the_statement(engine):
    seen, stop = _executed(engine)
    try:
        with engine.connect() as conn:
            conn.execute(window(select(MarkingRow.id).order_by(MarkingRow.id), 7, 3)).all()
    finally:
        stop()
    statement, parameters = seen[-1]
    assert "LIMIT 7" in statement
    assert "OFFSET 3" in statement
    assert 7 not in (parameters.values() if isinstance(parameters, dict) else parameters or ())


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (2, 0), (3, 2), (5, 1), (4, 1_000)])
def test_a_window_is_the_ordered_result_sliced(engine, limit, offset):
    ordered = select(MarkingRow.id).order_by(MarkingRow.id.desc())
    with engine.connect() as conn:
        every = conn.scalars(ordered).all()
        assert len(every) >= 3  # the seeded markings
        assert conn.scalars(window(ordered, limit, offset)).all() == every[offset : offset + limit]


def _plans(conn, limit_form, rendered: str) -> tuple[int, int]:
    rows = Table(
        "window_probe", MetaData(), Column("id", Integer, primary_key=True), Column("v", Text)
    )
    page = limit_form(select(rows.c.id, rows.c.v).order_by(rows.c.id.desc()))
    for _ in range(12):
        assert len(conn.execute(page).all()) == 5
    found = conn.execute(
        text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%FROM window_probe ORDER BY window_probe.id DESC%' "
            "AND statement LIKE :rendered"
        ),
        {"rendered": f"%{rendered}"},
    ).all()
    assert len(found) == 1, "the page was not prepared"
    return found[0]


def test_postgresql_plans_a_list_query_once(engine, backend):
    """psycopg prepares a statement run five times. With its window written in, PostgreSQL
    then runs the prepared statement's generic plan; with ``LIMIT $1`` it must assume a tenth of
    the rows, finds the generic plan dear, and plans every run anew (the control below)."""
    if backend != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    with engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE window_probe (id int PRIMARY KEY, v text)"))
        conn.execute(
            text("INSERT INTO window_probe SELECT i, md5(i::text) FROM generate_series(1, 50000) i")
        )
        conn.execute(text("ANALYZE window_probe"))
        generic, custom = _plans(conn, lambda stmt: window(stmt, 5), "LIMIT 5")
        assert generic >= 6
        assert custom <= 6
        generic, custom = _plans(conn, lambda stmt: stmt.limit(5), "LIMIT $1::INTEGER")
        assert generic == 0  # the control: a bound LIMIT is planned at every run
        assert custom >= 6


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("key", "marking.key ASC, marking.id ASC"),
        ("-key", "marking.key DESC, marking.id DESC"),
        ("-key,level_rank", "marking.key DESC, marking.level_rank ASC, marking.id DESC"),
        (None, "marking.id ASC"),
    ],
)
def test_the_tiebreak_follows_the_first_sort_field(sort, expected):
    columns = {"key": MarkingRow.key, "level_rank": MarkingRow.level_rank}
    stmt = order_by(select(MarkingRow.id), sort, columns, tiebreak=MarkingRow.id)
    assert str(stmt).endswith(f"ORDER BY {expected}")

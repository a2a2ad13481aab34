# SPDX-License-Identifier: Apache-2.0
"""Full-text search over documents, one interface on both databases.

- SQLite: an FTS5 table ``document_fts(title, body)`` whose rowid is the document's id
  (porter stemming, diacritics folded). It is not a mapped model: the service writes its row
  with ``index``/``unindex`` in the document's own transaction. User input never reaches FTS5's
  query syntax raw: ``to_fts5_query`` rewrites web-search syntax (words, "phrases", ``OR``,
  ``-word``) into quoted terms.
- PostgreSQL: a GIN index ``ix_document_search`` on
  ``to_tsvector('english', title || ' ' || extracted_text)``; queries use
  ``websearch_to_tsquery`` and the very same expression, so the index serves them; snippets
  come from ``ts_headline``.

The two differ in small ways users may notice: SQLite folds diacritics ("Kobe" finds "Kōbe"),
PostgreSQL's ``english`` configuration does not (``unaccent`` is not immutable, so it cannot
sit in an index expression without a wrapper); stemming is Porter on one and Snowball on the
other.

Invariant: a ``Match`` is only ever applied to a statement that already went through
``policy.readable``, and joins the FTS rows to their document: a hidden document never
matches, counts or yields a snippet (FTS rows are reachable only through the document).
Snippets mark hits with private-use characters; ``snippet_html`` escapes the text and only
then turns those into ``<mark>`` — document text is never trusted as HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, column, false, func, literal, literal_column, table
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from liaison.documents.models import Document

FTS_TABLE = "document_fts"
SEARCH_INDEX = "ix_document_search"
# Objects the database manages for search that the models do not map (for migration checks).
UNMAPPED_TABLES = re.compile(r"^document_fts(_(data|idx|content|docsize|config))?$")
UNMAPPED_INDEXES = frozenset({SEARCH_INDEX})

MARK_START, MARK_END = "\ue000", "\ue001"
_ENGLISH = "'english'::regconfig"
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
_fts = table(FTS_TABLE, column("rowid"), column("title"), column("body"))


@dataclass(frozen=True, slots=True)
class Match:
    """How to restrict, rank and quote a statement over ``Document`` for one query."""

    join: Callable[[Select[Any]], Select[Any]]
    condition: ColumnElement[bool]
    best_first: ColumnElement[Any]
    snippet: ColumnElement[str]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# writing the index ------------------------------------------------------------------------------
def index(session: Session, document_id: int, title: str, body: str) -> None:
    """Put a document's title and text in the index (replacing what was there)."""
    if _dialect(session) != "sqlite":
        return  # PostgreSQL's expression index follows the row itself
    unindex(session, document_id)
    session.execute(
        sql(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"),  # noqa: S608 - a constant table name
        {"id": document_id, "title": title, "body": body},
    )


def unindex(session: Session, document_id: int) -> None:
    if _dialect(session) == "sqlite":
        session.execute(sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": document_id})  # noqa: S608 - a constant table name


# querying ---------------------------------------------------------------------------------------
def match(session: Session, query: str) -> Match:
    """The ``Match`` for a web-search style query on this session's database."""
    if _dialect(session) == "sqlite":
        return _sqlite_match(query)
    return _postgres_match(query)


def _sqlite_match(query: str) -> Match:
    expression = to_fts5_query(query)
    fts: ColumnElement[Any] = literal_column(FTS_TABLE)

    def join(stmt: Select[Any]) -> Select[Any]:
        return stmt.join(_fts, _fts.c.rowid == Document.id)

    return Match(
        join=join,
        condition=fts.op("MATCH")(expression) if expression else false(),
        best_first=func.bm25(fts, 4.0, 1.0),
        snippet=func.snippet(fts, -1, MARK_START, MARK_END, " … ", 24),
    )


def _postgres_match(query: str) -> Match:
    english: ColumnElement[Any] = literal_column(_ENGLISH)
    vector = func.to_tsvector(
        english, Document.title.concat(literal_column("' '")).concat(Document.extracted_text)
    )
    tsquery = func.websearch_to_tsquery(english, query)
    return Match(
        join=lambda stmt: stmt,
        condition=vector.bool_op("@@")(tsquery),
        best_first=-func.ts_rank(vector, tsquery),
        snippet=func.ts_headline(english, Document.extracted_text, tsquery, literal(_HEADLINE)),
    )


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def to_fts5_query(query: str) -> str | None:
    """Web-search syntax as a safe FTS5 expression; None when it asks for nothing.

    Words and "quoted phrases" must all appear; ``a OR b`` needs either; ``-word`` excludes.
    Every term is re-quoted from its word characters, so no FTS5 operator can be injected.
    """
    wanted: list[str] = []
    excluded: list[str] = []
    either = False
    for m in _TOKEN.finditer(query):
        minus, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word.upper() == "OR":
            either = bool(wanted)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            minus, word = "-", word[1:]
        words = _WORD.findall(phrase if phrase is not None else word)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if minus:
            excluded.append(term)
        elif either:
            wanted[-1] = f"{wanted[-1]} OR {term}"
        else:
            wanted.append(term)
        either = False
    if not wanted:
        return None
    expression = " AND ".join(f"({w})" for w in wanted)
    for term in excluded:
        expression = f"({expression}) NOT {term}"
    return expression


def snippet_html(raw: str | None) -> str:
    """A snippet as safe HTML: the text escaped, hits in ``<mark>``."""
    escaped = html.escape(raw or "", quote=True)
    opened = escaped.count(MARK_START)
    escaped = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return escaped + "</mark>" * (opened - escaped.count("</mark>"))

# SPDX-License-Identifier: Apache-2.0
"""Text helpers every feature shares: negotiated text as it is stored and compared, one
case-folding for unique names, and LIKE patterns with their wildcards escaped.

A browser posts a textarea with ``\\r\\n`` line ends (the HTML standard says so), the CLI and the
API send ``\\n``; an editor may leave spaces at line ends. Stored as sent, the same wording saved
once from a form and once from the API differed in every line, and a redline showed blank
lines deleted and inserted where nobody changed a word: ``normalise_text`` runs once, before
text is stored.

``fold`` is the one comparison of names: Unicode NFKC, then ``str.casefold`` (which also folds
``ß`` to ``ss`` and ``Ó`` to ``ó``), then NFKC again, with runs of white space made one space.
It is computed in Python and stored (``name_key`` columns with a unique index), so SQLite's
``lower()`` (ASCII only), PostgreSQL's (by collation) and Python never disagree about it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func

LIKE_ESCAPE = "\\"
_LINE_END = re.compile(r"\r\n?")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


def normalise_text(text: str) -> str:
    """Line ends as ``\\n``; no spaces or tabs at line ends, nor blank lines at the end."""
    return _TRAILING.sub("", _LINE_END.sub("\n", text)).rstrip("\n")


def plural(count: int, one: str, many: str | None = None) -> str:
    """``"1 partner"``, ``"2 partners"``: the count with the word in the form it takes."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def fold(name: str) -> str:
    """The key under which two names are the same name."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def like_escaped(text: str) -> str:
    """``text`` with LIKE's wildcards (``%``, ``_``) and the escape character escaped."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains(column: Any, text: str, *, lower: bool = True) -> Any:  # noqa: ANN401 - SQL
    """``column`` holds ``text`` literally: ``%`` and ``_`` in ``text`` match only themselves.
    ``lower``: both lowered, so ASCII case is ignored on both backends. Every search by a
    part of a text goes through here (never a LIKE pattern made from input by hand)."""
    target, wanted = (func.lower(column), text.lower()) if lower else (column, text)
    return target.like(f"%{like_escaped(wanted)}%", escape=LIKE_ESCAPE)

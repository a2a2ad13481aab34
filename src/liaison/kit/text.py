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

import difflib
import re
import unicodedata
from collections.abc import Iterable
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


def close_matches(text: str, names: Iterable[str], limit: int = 5) -> list[str]:
    """The ``names`` nearest to ``text`` (folded, so case and spacing do not count), best
    first: those that contain it, then those that look like it (``difflib``, ratio >= 0.6)."""
    wanted = fold(text)
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(fold(name), name)
    containing = [name for key, name in by_key.items() if wanted and wanted in key]
    alike = difflib.get_close_matches(wanted, list(by_key), n=limit)
    found = containing + [by_key[key] for key in alike if by_key[key] not in containing]
    return found[:limit]


def did_you_mean(text: str, names: Iterable[str]) -> str:
    """``"; did you mean A, B or C?"`` for a name that matched nothing, or ``""``."""
    found = close_matches(text, names)
    if not found:
        return ""
    listed = ", ".join(found[:-1]) + (" or " if len(found) > 1 else "") + found[-1]
    return f"; did you mean {listed}?"

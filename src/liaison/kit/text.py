# SPDX-License-Identifier: Apache-2.0
"""Text helpers every feature shares: one case-folding for unique names, and LIKE patterns
with their wildcards escaped.

``fold`` is the one comparison of names: Unicode NFKC, then ``str.casefold`` (which also folds
``ß`` to ``ss`` and ``Ó`` to ``ó``), then NFKC again, with runs of white space made one space.
It is computed in Python and stored (``name_key`` columns with a unique index), so SQLite's
``lower()`` (ASCII only), PostgreSQL's (by collation) and Python never disagree about it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func

LIKE_ESCAPE = "\\"


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

# SPDX-License-Identifier: Apache-2.0
"""Word-level redlines between two wordings (pure: no database, no web).

Text is split into words and the whitespace after them, so a change shows as whole words
struck and inserted, as a person marks up a draft. Joining every ``equal`` and ``insert``
piece gives the new text back exactly, and every ``equal`` and ``delete`` piece the old one
(a property test holds both).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

Op = Literal["equal", "insert", "delete"]
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True, slots=True)
class Piece:
    op: Op
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn ``old`` into ``new``, word by word; neighbours of one kind merged."""
    a, b = tokens(old), tokens(new)
    # Compare words without their trailing whitespace, so a re-wrapped line is no change.
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b])
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for ta, tb in zip(a[i1:i2], b[j1:j2], strict=True):
                word = tb.rstrip()
                _add(pieces, "equal", word)
                old_space, new_space = ta[len(ta.rstrip()) :], tb[len(word) :]
                if old_space == new_space:
                    _add(pieces, "equal", new_space)
                else:  # re-wrapped: only the whitespace differs
                    _add(pieces, "delete", old_space)
                    _add(pieces, "insert", new_space)
        else:
            _add(pieces, "delete", "".join(a[i1:i2]))
            _add(pieces, "insert", "".join(b[j1:j2]))
    return pieces


def _add(pieces: list[Piece], op: Op, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].op == op:
        pieces[-1] = Piece(op, pieces[-1].text + text)
    else:
        pieces.append(Piece(op, text))


def to_html(pieces: list[Piece]) -> Markup:
    """``<del>`` for removed words, ``<ins>`` for added ones; the text escaped."""
    out = []
    for piece in pieces:
        text = escape(piece.text)
        if piece.op == "insert":
            out.append(Markup("<ins>{}</ins>").format(text))
        elif piece.op == "delete":
            out.append(Markup("<del>{}</del>").format(text))
        else:
            out.append(text)
    return Markup("").join(out)


def counts(pieces: list[Piece]) -> dict[str, int]:
    """Words inserted and deleted."""
    result = {"inserted": 0, "deleted": 0}
    for piece in pieces:
        if piece.op == "insert":
            result["inserted"] += len(piece.text.split())
        elif piece.op == "delete":
            result["deleted"] += len(piece.text.split())
    return result

# SPDX-License-Identifier: Apache-2.0
"""Redlines, pure: what changed between two texts, word by word, as segments a page renders
(``<del>`` for removed words, ``<ins>`` for added ones; the template escapes every word)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True, slots=True)
class Segment:
    op: str  # "same", "del" or "ins"
    text: str


def redline(old: str, new: str) -> list[Segment]:
    """Segments that turn ``old`` into ``new`` (whitespace kept, so paragraphs survive)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if tag in {"delete", "replace"}:
            segments.append(Segment("del", "".join(a[i1:i2])))
        if tag in {"insert", "replace"}:
            segments.append(Segment("ins", "".join(b[j1:j2])))
    return segments


def changed(segments: list[Segment]) -> bool:
    return any(s.op != "same" for s in segments)

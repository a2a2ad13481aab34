# SPDX-License-Identifier: Apache-2.0
"""Negotiated text as it is stored and compared.

A browser posts a textarea with ``\\r\\n`` line ends (the HTML standard says so), the CLI and the
API send ``\\n``; an editor may leave spaces at line ends. Stored as sent, the same wording saved
once from a form and once from the API differed in every line, and a redline showed blank
lines deleted and inserted where nobody changed a word. Text is normalised once, before it is
stored and before it is compared.
"""

from __future__ import annotations

import re

_LINE_END = re.compile(r"\r\n?")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


def normalise_text(text: str) -> str:
    """Line ends as ``\\n``; no spaces or tabs at line ends, nor blank lines at the end."""
    return _TRAILING.sub("", _LINE_END.sub("\n", text)).rstrip("\n")


def plural(count: int, one: str, many: str | None = None) -> str:
    """``"1 partner"``, ``"2 partners"``: the count with the word in the form it takes."""
    return f"{count} {one if count == 1 else (many or one + 's')}"

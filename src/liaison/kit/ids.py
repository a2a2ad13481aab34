# SPDX-License-Identifier: Apache-2.0
"""The one parser of a row id typed by somebody (a path, a reference that may be an id).

Row ids are 32-bit integers on every backend: a larger number, or anything that is not
decimal digits, is simply no row — the caller answers as it does for a hidden one."""

from __future__ import annotations

MAX_ID = 2_147_483_647


def parse_id(text: str) -> int | None:
    """``text`` as a row id, or None when it cannot be one (not ASCII digits, 0, beyond
    ``MAX_ID``)."""
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None

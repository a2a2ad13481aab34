# SPDX-License-Identifier: Apache-2.0
"""One date parser for every surface: ``YYYY-MM-DD`` and nothing else.

Pydantic's lax mode reads a number, or a text such as ``"0.0"``, as seconds since 1970
(``?on=0.0`` was 1 January 1970); ``IsoDate`` refuses anything but an ISO calendar date in
query parameters and request bodies, and ``parse_iso_date`` is the same rule for forms and the
command line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(raw: str) -> dt.date:
    """``raw`` as a date; ``ValueError`` unless it is a real ``YYYY-MM-DD`` date."""
    value = raw.strip()
    if not _ISO_DATE.fullmatch(value):
        msg = f"{raw!r} is not a date; write YYYY-MM-DD"
        raise ValueError(msg)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{raw!r} is not a date; write YYYY-MM-DD"
        raise ValueError(msg) from None


def _iso_date(value: Any) -> Any:  # noqa: ANN401 - pydantic's before-validator signature
    if isinstance(value, dt.datetime):
        msg = "a date is YYYY-MM-DD, without a time"
        raise ValueError(msg)  # noqa: TRY004 - pydantic turns ValueError into a 422
    if isinstance(value, dt.date) or value is None:
        return value
    if not isinstance(value, str):
        msg = "a date is a text YYYY-MM-DD"
        raise ValueError(msg)  # noqa: TRY004 - pydantic turns ValueError into a 422
    return parse_iso_date(value)


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

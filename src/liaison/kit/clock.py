# SPDX-License-Identifier: Apache-2.0
"""Today's date and the current UTC time, in one place so rules and tests agree."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today in UTC: legal-fact dates (accession, signature) are compared against this."""
    return utcnow().date()

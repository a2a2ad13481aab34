# SPDX-License-Identifier: Apache-2.0
"""Programme use cases, for the API, the pages, the CLI, the demo and the event handlers.
Services never commit.

Invariants:
- reads go through ``ProgrammeRepository`` (the policy inside the SQL, on elements and their
  programme); a programme or element the principal may not read raises ``*NotFound`` with the
  words of a missing one;
- every read of something above PUBLIC appends one audit event per row, carrying its marking,
  in this transaction; every write is audited with before/after;
- an element's marking is parsed, must be readable by the writer, and is stored capped by its
  container's (``rules.cap``: a section, objective or goal by the programme, an activity by
  its goal, a comment by its section); after every write the writer must still read what it
  wrote (else ``MarkingAboveReader`` and the unit of work rolls back);
- every save of a section's or goal's wording appends a ``Revision`` (its number is the
  element's ``version``), so any two versions can be redlined;
- lifecycle changes follow ``rules.transition_problem``; an illegal one raises
  ``IllegalTransition`` (409) saying why, before anything is written.
"""

from __future__ import annotations

from liaison.programmes.lifecycle import Lifecycle
from liaison.programmes.overview import Overview
from liaison.programmes.shown import (
    AP4,
    Comparison,
    Dashboard,
    Dossier,
    ProgrammeView,
    Redline,
    Shown,
)
from liaison.programmes.structure import Structure

__all__ = [
    "AP4",
    "Comparison",
    "Dashboard",
    "Dossier",
    "ProgrammeService",
    "ProgrammeView",
    "Redline",
    "Shown",
]


class ProgrammeService(Lifecycle, Structure, Overview):
    """Every programme use case, for one principal in one unit of work (split by concern:
    ``base`` reads and helpers, ``lifecycle``, ``structure`` and wording, ``overview``)."""

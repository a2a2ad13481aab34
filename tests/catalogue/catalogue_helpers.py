# SPDX-License-Identifier: Apache-2.0
"""A small catalogue for the tests: items under markings that split the demo users, and who
may read which item.

- PUB-1 PUBLIC, two sessions (one open to IP4 only, in French);
- ALL-1 NU releasable to every partner group; requires PUB-1;
- IP4-1 NU releasable to IP4 (Japan, Korea, Australia, New Zealand);
- NR-JPN NR releasable to Japan, a session needing a NATO RESTRICTED agreement;
- NATO-1 NU, NATO only (no partner reads it).
"""

from __future__ import annotations

import threading

from liaison.catalogue.service import CatalogueService
from liaison.db.session import session_factory, unit_of_work
from liaison.identity.service import IdentityService
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.principal import ANONYMOUS, SYSTEM

ALL_GROUPS = "NU // REL EAPC, PFP, MD, ICI, PAG, IP4"


def row(code, marking, session=None, **extra):
    cells = {
        "item_code": code,
        "title": f"Test item {code}",
        "area": "cyber-defence",
        "kind": "course",
        "provider": "NATO School Oberammergau",
        "description": "",
        "prerequisites": "",
        "item_marking": marking,
    }
    if session:
        cells.update(
            {
                "session_code": session,
                "start_on": "2027-03-01",
                "end_on": "2027-03-05",
                "location": "Oberammergau",
                "host_country": "DEU",
                "region": "europe",
                "mode": "resident",
                "language": "en",
                "seats": "3",
                "fee": "500",
                "eligible": "",
                "min_level": "",
                "session_marking": marking,
            }
        )
    cells.update(extra)
    return cells


ROWS = [
    row("PUB-1", "PUBLIC", "2027-1"),
    row(
        "PUB-1",
        "PUBLIC",
        "2027-2",
        start_on="2027-09-01",
        end_on="2027-09-03",
        eligible="IP4",
        language="fr",
    ),
    row(
        "ALL-1",
        ALL_GROUPS,
        "2027-1",
        prerequisites="PUB-1",
        start_on="2027-10-01",
        end_on="2027-10-05",
        area="maritime-security",
    ),
    row("IP4-1", "NU // REL IP4", "2027-1", area="space", seats="2"),
    row("NR-JPN", "NR // REL JPN", "2027-1", min_level="NATO RESTRICTED"),
    row("NATO-1", "NATO UNCLASSIFIED", "2027-1"),
]

VISIBLE = {
    None: {"PUB-1"},
    "korea": {"PUB-1", "ALL-1", "IP4-1"},
    "japan": {"PUB-1", "ALL-1", "IP4-1", "NR-JPN"},
    "australia": {"PUB-1", "ALL-1", "IP4-1"},
    "analyst": {"PUB-1", "ALL-1", "IP4-1", "NR-JPN", "NATO-1"},
    "officer": {"PUB-1", "ALL-1", "IP4-1", "NR-JPN", "NATO-1"},
    "admin": {"PUB-1", "ALL-1", "IP4-1", "NR-JPN", "NATO-1"},
}
USERS = list(VISIBLE)
ALL = set(VISIBLE["admin"])


def principal(session, username):
    if username is None:
        return ANONYMOUS
    if username == "system":
        return SYSTEM
    user = IdentityService(session, SYSTEM).user(username)
    return principal_for(session, user, nation_profile)


def load(engine, rows=ROWS):
    with unit_of_work(session_factory(engine)) as session:
        CatalogueService(session, SYSTEM).import_rows(rows)


def all_at_once(engine, actions):
    """Run each ``action(session)`` in its own thread and unit of work, all released at once
    (a barrier); returns the exceptions they raised (none, when the service holds up)."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait()
            with unit_of_work(session_factory(engine)) as session:
                action(session)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors

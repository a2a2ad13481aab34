# SPDX-License-Identifier: Apache-2.0
"""The demo catalogue for ``liaison init --demo``: about 1,400 generated items over the
cooperation areas (every one flagged ``demo`` and titled "[demo] ..."), their sessions in 2026
and 2027, and the public example of DOMAIN.md §1: the Partner Staff Officers' Familiarization
Programme at NATO HQ and SHAPE, 5-14 June 2024, 30 seats. Deterministic: the same rows every
time (no randomness), so tests and screenshots can name them.

Markings vary on purpose, so each demo account sees a different catalogue: a fifth PUBLIC,
two fifths NATO UNCLASSIFIED releasable to every partner group, a fifth releasable to IP4
only, a tenth NATO RESTRICTED releasable to IP4 (needs an agreement: Japan and Australia read
them, Korea does not) and a tenth NATO only.

Profiles for 2027: the AP4's seeded from their programme goals, other active partners'
generated.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liaison.catalogue.profiles import ProfileService
from liaison.catalogue.schemas import PriorityIn, ProfileUpdate
from liaison.catalogue.service import CatalogueService, ImportReport
from liaison.registry.models import Partner
from liaison.registry.rules import PartnerStatus
from liaison.registry.service import RegistryService
from liaison.security.principal import SYSTEM

ITEMS = 1_400
FRENCH = 4  # every ninth item, from the fifth, is taught in French
YEAR = 2027
ALL_GROUPS = "NU // REL EAPC, PFP, MD, ICI, PAG, IP4"
MARKINGS = [
    "PUBLIC",
    ALL_GROUPS,
    ALL_GROUPS,
    "NU // REL IP4",
    "NR // REL IP4",
    "PUBLIC",
    ALL_GROUPS,
    ALL_GROUPS,
    "NU // REL IP4",
    "NATO UNCLASSIFIED",
]
KINDS = [
    ("course", "Course"),
    ("course", "Advanced Course"),
    ("seminar", "Seminar"),
    ("workshop", "Workshop"),
    ("e_learning", "e-Learning Module"),
    ("mobile_training_team", "Mobile Training Team"),
    ("conference", "Conference"),
    ("exercise", "Exercise"),
    ("observer_slot", "Exercise Observer Slot"),
    ("staff_talks", "Staff Talks"),
    ("expert_visit", "Expert Visit"),
    ("fellowship", "Fellowship"),
    ("familiarisation", "Familiarisation Visit"),
]
PROVIDERS = [
    ("NATO School Oberammergau", "Oberammergau", "DEU", "europe"),
    ("NATO Defense College", "Rome", "ITA", "europe"),
    ("NATO CCDCOE", "Tallinn", "EST", "europe"),
    ("NATO StratCom COE", "Riga", "LVA", "europe"),
    ("NATO HQ", "Brussels", "BEL", "europe"),
    ("SHAPE", "Mons", "BEL", "europe"),
    ("NATO Maritime Interdiction Operational Training Centre", "Souda Bay", "GRC", "europe"),
    ("Partnership Training and Education Centre", "Amman", "JOR", "middle-east-africa"),
    ("Partnership Training and Education Centre", "Canberra", "AUS", "asia-pacific"),
    ("Joint Force Training Centre", "Bydgoszcz", "POL", "europe"),
    ("Allied national institution", "Ottawa", "CAN", "americas"),
]


def _rows() -> list[dict[str, str]]:
    rows = [_psofp()]
    areas = _AREAS
    for n in range(ITEMS - 1):
        area_code, area_name = areas[n % len(areas)]
        kind, label = KINDS[(n // len(areas)) % len(KINDS)]
        series = n // (len(areas) * len(KINDS)) + 1
        code = f"DEMO-{area_code[:6].upper()}-{n + 1:04d}"
        provider, city, host, region = PROVIDERS[(n * 7) % len(PROVIDERS)]
        if kind == "e_learning":
            city, host, region = "Online", "", "online"
        marking = MARKINGS[n % len(MARKINGS)]
        prerequisite = ""
        if label == "Advanced Course":
            prerequisite = f"DEMO-{area_code[:6].upper()}-{n + 1 - len(areas):04d}"
        item = {
            "item_code": code,
            "title": f"[demo] {area_name} {label} {series}",
            "area": area_code,
            "kind": kind,
            "provider": provider,
            "description": f"Demo data: a generated {label.lower()} in {area_name.lower()}.",
            "prerequisites": prerequisite,
            "item_marking": marking,
        }
        rows.extend(
            {**item, **_session(n, k, city, host, region, kind, marking)} for k in range(1 + n % 2)
        )
    return rows


def _session(
    n: int, k: int, city: str, host: str, region: str, kind: str, marking: str
) -> dict[str, str]:
    start = dt.date(2026, 9, 1) + dt.timedelta(days=(n * 37 + k * 181) % 480)
    length = {
        "conference": 2,
        "staff_talks": 1,
        "expert_visit": 3,
        "exercise": 10,
        "fellowship": 60,
    }.get(kind, 5)
    mode = (
        "online"
        if kind == "e_learning"
        else ("mobile" if kind == "mobile_training_team" else "resident")
    )
    eligible = ["", "", "IP4", "PFP;EAPC", "MD;ICI", ""][n % 6]
    if marking == "NU // REL IP4" or marking.startswith("NR"):
        eligible = "IP4"
    return {
        "session_code": f"{start.year}-{k + 1}",
        "start_on": start.isoformat(),
        "end_on": (start + dt.timedelta(days=length - 1)).isoformat(),
        "location": city,
        "host_country": host,
        "region": region,
        "mode": mode,
        "language": "fr" if n % 9 == FRENCH else "en",
        "seats": str(4 + (n * 13) % 28),
        "fee": str(((n * 17) % 6) * 250),
        "eligible": eligible,
        "min_level": "NATO RESTRICTED" if marking.startswith("NR") else "",
        "session_marking": marking,
    }


def _psofp() -> dict[str, str]:
    """DOMAIN.md §1 and §6: a public example, with its real dates and seats."""
    return {
        "item_code": "PSOFP",
        "title": "Partner Staff Officers' Familiarization Programme",
        "area": "political-dialogue",
        "kind": "familiarisation",
        "provider": "NATO HQ and SHAPE",
        "description": "Familiarisation with NATO HQ and SHAPE for partner staff officers "
        "(cooperative security); 30 officers from 20 partners in 2024.",
        "prerequisites": "",
        "item_marking": "PUBLIC",
        "session_code": "2024-1",
        "start_on": "2024-06-05",
        "end_on": "2024-06-14",
        "location": "NATO HQ, Brussels and SHAPE, Mons",
        "host_country": "BEL",
        "region": "europe",
        "mode": "resident",
        "language": "en",
        "seats": "30",
        "fee": "0",
        "eligible": "",
        "min_level": "",
        "session_marking": "PUBLIC",
    }


_AREAS: list[tuple[str, str]] = []


def create_demo_catalogue(session: Session) -> ImportReport:
    """Load the demo catalogue and the 2027 profiles (idempotent: codes are updated)."""
    service = CatalogueService(session, SYSTEM)
    _AREAS[:] = sorted(service.area_names().items())
    report = service.import_rows(_rows(), demo=True)
    create_demo_profiles(session)
    return report


def active_partners(registry: RegistryService) -> list[Partner]:
    """The active partners, by ISO code (through the registry's service: its names, then
    each partner; a demo's few dozen)."""
    partners = (registry.partner(name) for name in registry.partner_names())
    return sorted(
        (p for p in partners if p.status is PartnerStatus.ACTIVE), key=lambda p: p.country_iso3
    )


def create_demo_profiles(session: Session, year: int = YEAR) -> int:
    profiles = ProfileService(session, SYSTEM)
    registry = RegistryService(session, SYSTEM)
    areas = sorted(profiles.area_names())
    count = 0
    partners = active_partners(registry)
    for n, partner in enumerate(partners):
        code = partner.country_iso3
        seeded = profiles.seed_from_goals(code, year)
        chosen = {p.area: p for p in seeded}
        for k in range(4):
            area = areas[(n * 5 + k * 3) % len(areas)]
            chosen.setdefault(
                area, PriorityIn(area=area, weight=5 - k, demand=2 + (n + k) % 3, goal="")
            )
        french = code in {"DZA", "MAR", "MRT", "TUN"}
        data = ProfileUpdate(
            people=[2 + (n + q) % 4 for q in range(4)],
            languages=["en", "fr"] if french else ["en"],
            budget=20_000 + (n * 7_919) % 60_000,
            travel_costs={
                "europe": 800 + 100 * (n % 5),
                "asia-pacific": 1_800,
                "middle-east-africa": 900,
                "americas": 1_500,
                "online": 0,
            },
            priorities=sorted(chosen.values(), key=lambda p: p.area),
        )
        profiles.save(code, year, data)
        count += 1
    return count

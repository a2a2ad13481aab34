# SPDX-License-Identifier: Apache-2.0
"""Demo programmes for ``liaison init --demo`` (DOMAIN.md §1, §4): the AP4's ITPPs.

- Australia, Japan and the Republic of Korea: ITPPs 2023-2026 in force (agreed at or around the
  Vilnius summit, July 2023), each superseding the partner's IPCPs. They end on 2026-12-31, so
  on 2026-11-23 the dashboard shows their renewal due.
- New Zealand: ITPP 2024-2027 agreed in 2024 (exact date not public; modelled as the
  Washington summit, 10 July 2024), not yet in force; its 2012 IPCP (updated later, dates
  not public) is modelled as expired in 2018.

Areas follow the public reporting in DOMAIN.md §4; the goals, indicators and activities are
written to read like the real thing but are illustrative (real ITPP annexes are not public),
at several markings so each demo account sees a different programme. Every programme is built
through ``ProgrammeService`` and driven along its real lifecycle (draft → negotiating →
submitted → approved → agreed → in force), so the audit trail tells its history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from liaison.programmes.repository import ProgrammeRepository
from liaison.programmes.rules import (
    ActivityKind,
    ActivityStatus,
    GoalStatus,
    ProgrammeKind,
    ProgrammeStatus,
)
from liaison.programmes.schemas import (
    ActivityCreate,
    GoalCreate,
    ObjectiveCreate,
    ProgrammeCreate,
    SectionCreate,
    SectionUpdate,
)
from liaison.programmes.service import ProgrammeService
from liaison.security.principal import SYSTEM

D = dt.date
K = ActivityKind
GS = GoalStatus
AS = ActivityStatus


@dataclass(frozen=True, slots=True)
class Act:
    title: str
    kind: ActivityKind
    start: dt.date
    end: dt.date | None = None
    status: ActivityStatus = AS.DONE
    owner: str = ""
    location: str = ""
    marking: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    objective: int  # index into the spec's objectives
    area: str
    title: str
    wording: str
    indicator: str
    target: str
    due: dt.date
    status: GoalStatus = GS.ON_TRACK
    marking: str | None = None
    activities: tuple[Act, ...] = ()


@dataclass(frozen=True, slots=True)
class Spec:
    partner: str
    kind: ProgrammeKind
    start: dt.date
    end: dt.date
    marking: str
    approved_on: dt.date
    approval_reference: str
    agreed_on: dt.date
    in_force_on: dt.date | None
    supersedes: str | None = None
    objectives: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, str, str | None], ...] = ()
    redrafts: tuple[tuple[int, str, str], ...] = ()  # section index, new body, why
    goals: tuple[Goal, ...] = ()
    title: str | None = None
    expired_on: dt.date | None = None  # an old programme nothing superseded


NAC = "NAC approval (reference not public)"


def _ipcp(
    partner: str,
    start: D,
    end: D,
    agreed: D,
    areas: list[tuple[str, str]],
    supersedes: str | None = None,
) -> Spec:
    """An IPCP as the public record knows it: its date and the areas it listed."""
    return Spec(
        partner=partner,
        kind=ProgrammeKind.IPCP,
        start=start,
        end=end,
        marking=f"NU // REL {partner}",
        approved_on=agreed,
        approval_reference=NAC,
        agreed_on=agreed,
        in_force_on=agreed,
        supersedes=supersedes,
        objectives=(("Cooperation areas", "The areas the partner chose from the menu."),),
        goals=tuple(
            Goal(
                0,
                area,
                title,
                f"Cooperation in {title.lower()}.",
                "Activities held",
                "At least one activity a year",
                end,
                GS.ACHIEVED,
            )
            for area, title in areas
        ),
    )


JAPAN_PART1_V1 = (
    "Japan and NATO are natural partners. They share the values of freedom, democracy, "
    "human rights and the rule of law.\n\n"
    "The security environment is the most severe since the end of the Second World War. "
    "Russia's aggression against Ukraine has shattered peace in Europe, and what happens in "
    "Europe matters to the Indo-Pacific."
)
JAPAN_PART1_V2 = (
    "Japan and NATO are natural and reliable partners. They share the values of freedom, "
    "democracy, human rights and the rule of law.\n\n"
    "The security environment is the most severe and complex since the end of the Second "
    "World War. Russia's unprovoked aggression against Ukraine has shattered peace in Europe, "
    "and the security of the Euro-Atlantic and the Indo-Pacific is closely interconnected, as "
    "the 2022 Strategic Concept recognises."
)

ITPPS = [
    # Japan: 16 areas; signed 12 July 2023 (Kishida-Stoltenberg, Vilnius). Part 1 is public.
    Spec(
        partner="JPN",
        kind=ProgrammeKind.ITPP,
        start=D(2023, 1, 1),
        end=D(2026, 12, 31),
        marking="PUBLIC",
        approved_on=D(2023, 7, 10),
        approval_reference=NAC,
        agreed_on=D(2023, 7, 12),
        in_force_on=D(2023, 7, 12),
        supersedes="IPCP-JPN-2020",
        objectives=(
            (
                "Enhance dialogue and consultation",
                "Regular high-level and working-level dialogue on shared security challenges.",
            ),
            (
                "Strengthen interoperability",
                (
                    "Standards, exercises and staff links that let "
                    "Japan's Self-Defense Forces and Allied forces work together."
                ),
            ),
            (
                "Build resilience together",
                (
                    "Cyber, space, strategic communications and "
                    "emerging technologies against hybrid threats."
                ),
            ),
        ),
        sections=(
            ("Part 1 \N{EN DASH} The Japan-NATO partnership", JAPAN_PART1_V1, "PUBLIC"),
            (
                "Part 2 \N{EN DASH} Implementation and review",
                (
                    "A joint consultative body reviews "
                    "progress every year. Points of contact on both sides follow each partnership "
                    "goal."
                ),
                "NU // REL JPN",
            ),
            (
                "Allied assessment of priorities",
                (
                    "Allies see maritime domain awareness and "
                    "cyber as the areas where Japan's contribution is most mature; space and EDT "
                    "need more staff work before the next review."
                ),
                "NR",
            ),
        ),
        redrafts=((0, JAPAN_PART1_V2, "Japan's proposed wording after the second round"),),
        goals=(
            Goal(
                0,
                "political-dialogue",
                "Regular political consultations",
                "Hold regular political consultations at senior level, including Japan's "
                "participation in NATO summits and foreign ministers' meetings.",
                "Consultations held per year",
                "Two senior-level rounds a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
                "NU // REL JPN",
                (
                    Act(
                        "NAC+Japan consultations",
                        K.POLITICAL_CONSULTATION,
                        D(2023, 7, 12),
                        owner="NATO IS Political Affairs",
                        location="Vilnius",
                    ),
                    Act(
                        "Senior officials' talks on the Indo-Pacific",
                        K.POLITICAL_CONSULTATION,
                        D(2026, 11, 26),
                        status=AS.CONFIRMED,
                        owner="NATO IS PASP",
                        location="NATO HQ, Brussels",
                    ),
                ),
            ),
            Goal(
                1,
                "maritime-security",
                "Maritime domain awareness",
                "Exchange maritime situational awareness and take part as observers in "
                "Allied maritime exercises.",
                "Exercises observed",
                "Two exercises a year",
                D(2026, 6, 30),
                GS.AT_RISK,
                "NU // REL JPN",
                (
                    Act(
                        "Observer slot: Dynamic Mongoose",
                        K.EXERCISE,
                        D(2024, 6, 24),
                        D(2024, 7, 5),
                        owner="MARCOM",
                        location="Norwegian Sea",
                    ),
                    Act(
                        "MDA information exchange arrangement review",
                        K.INFORMATION_EXCHANGE,
                        D(2026, 11, 10),
                        D(2026, 11, 12),
                        AS.CONFIRMED,
                        "MARCOM",
                        "Northwood",
                        "NR // REL JPN",
                    ),
                ),
            ),
            Goal(
                1,
                "interoperability",
                "Interoperability standards",
                "Adopt selected NATO standards and take part in the Partnership "
                "Interoperability Platform.",
                "Standards adopted",
                "Ten STANAGs reviewed",
                D(2026, 3, 31),
                GS.OPEN,
                "NU // REL JPN",
                (
                    Act(
                        "Military staff talks Japan\N{EN DASH}IMS",
                        K.MILITARY_STAFF_TALKS,
                        D(2025, 3, 18),
                        owner="IMS Cooperative Security Division",
                        location="Tokyo",
                    ),
                ),
            ),
            Goal(
                2,
                "cyber-defence",
                "Cyber defence cooperation",
                "Participate in Cyber Coalition and Locked Shields and exchange on cyber "
                "threats through the CCDCOE.",
                "Exercises joined",
                "Every edition",
                D(2026, 12, 31),
                GS.ON_TRACK,
                "NU // REL JPN",
                (
                    Act(
                        "Cyber Coalition 2026",
                        K.EXERCISE,
                        D(2026, 11, 30),
                        D(2026, 12, 4),
                        AS.CONFIRMED,
                        "ACT",
                        "Tartu",
                        "NR // REL JPN",
                    ),
                    Act(
                        "Locked Shields 2025",
                        K.EXERCISE,
                        D(2025, 5, 6),
                        D(2025, 5, 9),
                        owner="CCDCOE",
                        location="Tallinn",
                    ),
                ),
            ),
            Goal(
                2,
                "space",
                "Space situational awareness",
                "Exchange on space policy and space situational awareness.",
                "Exchanges held",
                "One expert exchange a year",
                D(2025, 12, 31),
                GS.ACHIEVED,
                "NU // REL JPN",
                (
                    Act(
                        "Space policy expert exchange",
                        K.WORKING_GROUP,
                        D(2025, 10, 14),
                        owner="NATO IS ESCD",
                        location="Ramstein",
                    ),
                ),
            ),
            Goal(
                2,
                "disinformation-stratcom",
                "Countering disinformation",
                "Share analysis of disinformation campaigns and strategic communications practice.",
                "Joint products",
                "Two joint analyses",
                D(2026, 9, 30),
                GS.AT_RISK,
                "NR // REL JPN",
                (
                    Act(
                        "StratCom COE workshop on information threats",
                        K.SEMINAR,
                        D(2026, 11, 17),
                        D(2026, 11, 18),
                        AS.PLANNED,
                        "StratCom COE",
                        "Riga",
                    ),
                ),
            ),
            Goal(
                2,
                "edt",
                "Emerging and disruptive technologies",
                "Dialogue on AI and quantum and links with DIANA.",
                "Dialogues",
                "One a year",
                D(2026, 12, 31),
                GS.OPEN,
                "NU // REL JPN",
            ),
        ),
    ),
    # Australia: Enhanced Opportunities Partner; areas from DOMAIN.md §4.
    Spec(
        partner="AUS",
        kind=ProgrammeKind.ITPP,
        start=D(2023, 1, 1),
        end=D(2026, 12, 31),
        marking="NU // REL AUS",
        approved_on=D(2023, 7, 10),
        approval_reference=NAC,
        agreed_on=D(2023, 7, 11),
        in_force_on=D(2023, 7, 11),
        supersedes="IPCP-AUS-2019",
        objectives=(
            (
                "Deepen political and practical cooperation",
                "As an Enhanced Opportunities Partner, beyond dialogue to shared work.",
            ),
            ("Interoperability and capability", "Forces that can operate together."),
            ("Resilience and technology", "Cyber, space, EDT and civil preparedness."),
        ),
        sections=(
            (
                "Part 1 \N{EN DASH} Australia and NATO",
                (
                    "Australia has been a partner since 2005 and an Enhanced Opportunities "
                    "Partner since 2014. Australia and NATO share an interest in a rules-based "
                    "international order."
                ),
                "NU // REL AUS",
            ),
            (
                "Allied notes on Australia's contribution",
                (
                    "Allies value Australia's "
                    "contribution to past NATO-led operations; interoperability is the strongest "
                    "area of the programme."
                ),
                "NR",
            ),
        ),
        goals=(
            Goal(
                1,
                "interoperability",
                "Interoperability through exercises",
                "Take part in Allied exercises and the Partnership Interoperability Initiative.",
                "Exercises joined",
                "Three a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
                None,
                (
                    Act(
                        "Steadfast Jupiter observer",
                        K.EXERCISE,
                        D(2026, 11, 2),
                        D(2026, 11, 13),
                        AS.CONFIRMED,
                        "JFC Brunssum",
                        "Stavanger",
                        "NR // REL AUS",
                    ),
                ),
            ),
            Goal(
                1,
                "science-technology",
                "Science for Peace and Security projects",
                "Joint science and technology projects.",
                "Projects",
                "Two projects",
                D(2025, 12, 31),
                GS.ACHIEVED,
            ),
            Goal(
                0,
                "wps",
                "Women, Peace and Security",
                "Share practice on integrating gender perspectives.",
                "Exchanges",
                "One a year",
                D(2026, 10, 31),
                GS.OPEN,
                None,
                (
                    Act(
                        "WPS practitioners' seminar",
                        K.SEMINAR,
                        D(2025, 3, 5),
                        owner="NATO IS WPS Office",
                        location="Canberra",
                    ),
                ),
            ),
            Goal(
                2,
                "resilience",
                "Resilience and civil preparedness",
                "Exchange on the baseline requirements for resilience.",
                "Exchanges",
                "One a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
            ),
            Goal(
                0,
                "arms-control",
                "Arms control and non-proliferation",
                "Consult on arms control, disarmament and non-proliferation.",
                "Consultations",
                "One a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
            ),
            Goal(
                2,
                "cyber-defence",
                "Cyber defence information exchange",
                "Exchange technical information on cyber threats with the NCIA.",
                "Exchanges",
                "Quarterly",
                D(2026, 12, 31),
                GS.ON_TRACK,
                "NS // REL AUS // NTK cyber",
                (
                    Act(
                        "Technical exchange with NCIA",
                        K.INFORMATION_EXCHANGE,
                        D(2026, 11, 24),
                        status=AS.CONFIRMED,
                        owner="NCIA",
                        location="Mons",
                    ),
                ),
            ),
            Goal(
                2,
                "space",
                "Space",
                "Dialogue on space as an operational domain.",
                "Dialogues",
                "One a year",
                D(2026, 6, 30),
                GS.AT_RISK,
            ),
            Goal(
                2,
                "edt",
                "Emerging and disruptive technologies",
                "Links with DIANA and the NATO Innovation Fund.",
                "Contacts",
                "Regular",
                D(2026, 12, 31),
                GS.OPEN,
            ),
        ),
    ),
    # Republic of Korea: 11 areas; adopted 11 July 2023.
    Spec(
        partner="KOR",
        kind=ProgrammeKind.ITPP,
        start=D(2023, 1, 1),
        end=D(2026, 12, 31),
        marking="NU // REL KOR",
        approved_on=D(2023, 7, 10),
        approval_reference=NAC,
        agreed_on=D(2023, 7, 11),
        in_force_on=D(2023, 7, 11),
        supersedes="IPCP-KOR-2019",
        objectives=(
            (
                "Dialogue and consultation",
                "Through the Mission of the Republic of Korea to NATO, opened in November 2022.",
            ),
            ("Practical cooperation", "Capabilities, interoperability, science."),
        ),
        sections=(
            (
                "Part 1 \N{EN DASH} The Republic of Korea and NATO",
                (
                    "The Republic of Korea and NATO "
                    "share a commitment to a rules-based order. The ITPP states why each area was "
                    "chosen, the strategic targets, projects and a schedule."
                ),
                None,
            ),
        ),
        goals=(
            Goal(
                0,
                "political-dialogue",
                "Dialogue",
                "Regular dialogue on regional security.",
                "Rounds held",
                "Two a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
                None,
                (
                    Act(
                        "Korea-NATO policy consultations",
                        K.POLITICAL_CONSULTATION,
                        D(2026, 11, 19),
                        status=AS.CONFIRMED,
                        owner="NATO IS PASP",
                        location="NATO HQ, Brussels",
                    ),
                ),
            ),
            Goal(
                0,
                "counter-terrorism",
                "Counter-terrorism",
                "Exchange of expertise.",
                "Exchanges",
                "One a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
            ),
            Goal(
                0,
                "arms-control",
                "Disarmament and non-proliferation",
                "Consultations on non-proliferation.",
                "Consultations",
                "One a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
            ),
            Goal(
                1,
                "edt",
                "Emerging and disruptive technologies",
                "Dialogue on EDT.",
                "Dialogues",
                "One a year",
                D(2026, 12, 31),
                GS.OPEN,
            ),
            Goal(
                1,
                "cyber-defence",
                "Cyber defence",
                "Participation in cyber exercises.",
                "Exercises",
                "Each edition",
                D(2026, 12, 31),
                GS.ON_TRACK,
                "NR // REL KOR",
                (
                    Act(
                        "Locked Shields 2026",
                        K.EXERCISE,
                        D(2026, 4, 21),
                        D(2026, 4, 24),
                        owner="CCDCOE",
                        location="Tallinn",
                        marking="NR // REL KOR",
                    ),
                ),
            ),
            Goal(
                1,
                "interoperability",
                "Capability and interoperability",
                "Mutual recognition of airworthiness.",
                "Arrangements signed",
                "One",
                D(2024, 12, 31),
                GS.ACHIEVED,
                None,
                (
                    Act(
                        "Airworthiness recognition arrangement",
                        K.WORKING_GROUP,
                        D(2024, 7, 10),
                        owner="NSPA",
                        location="Washington",
                    ),
                ),
            ),
            Goal(
                1,
                "science-technology",
                "Science and technology",
                "SPS projects.",
                "Projects",
                "One",
                D(2026, 5, 31),
                GS.AT_RISK,
            ),
            Goal(
                0,
                "public-diplomacy",
                "Public diplomacy",
                "Public events in Seoul.",
                "Events",
                "Two a year",
                D(2026, 12, 31),
                GS.ON_TRACK,
            ),
            Goal(
                1,
                "climate-security",
                "Climate change and security",
                "Exchange with the Centre of Excellence in Montreal.",
                "Exchanges",
                "One a year",
                D(2026, 12, 31),
                GS.OPEN,
            ),
        ),
    ),
    # New Zealand: negotiated from June 2023, agreed in 2024 (date not public).
    Spec(
        partner="NZL",
        kind=ProgrammeKind.ITPP,
        start=D(2024, 1, 1),
        end=D(2027, 12, 31),
        marking="NU // REL NZL",
        approved_on=D(2024, 7, 8),
        approval_reference=NAC,
        agreed_on=D(2024, 7, 10),
        in_force_on=None,
        objectives=(
            (
                "Cooperation for a secure Indo-Pacific",
                "Not a bloc; consistent with New Zealand's nuclear-free policy.",
            ),
        ),
        sections=(
            (
                "Part 1 \N{EN DASH} New Zealand and NATO",
                (
                    "New Zealand's ITPP covers climate "
                    "change and security, cyber, disinformation and WPS."
                ),
                None,
            ),
        ),
        goals=(
            Goal(
                0,
                "climate-security",
                "Climate change and security",
                "Exchange on climate security.",
                "Exchanges",
                "One a year",
                D(2027, 12, 31),
                GS.OPEN,
            ),
            Goal(
                0,
                "cyber-defence",
                "Cyber defence",
                "Exercises and exchanges.",
                "Exercises",
                "One a year",
                D(2027, 12, 31),
                GS.OPEN,
            ),
            Goal(
                0,
                "disinformation-stratcom",
                "Countering disinformation",
                "Shared analysis.",
                "Products",
                "One a year",
                D(2027, 12, 31),
                GS.OPEN,
            ),
            Goal(
                0,
                "wps",
                "Women, Peace and Security",
                "Exchanges.",
                "Exchanges",
                "One a year",
                D(2027, 12, 31),
                GS.OPEN,
            ),
        ),
    ),
]

IPCPS = [
    _ipcp(
        "AUS",
        D(2013, 2, 21),
        D(2019, 2, 20),
        D(2013, 2, 21),
        [("interoperability", "Interoperability"), ("operations-missions", "Operations")],
    ),
    _ipcp(
        "AUS",
        D(2019, 2, 21),
        D(2022, 12, 31),
        D(2019, 2, 21),
        [
            ("interoperability", "Interoperability"),
            ("cyber-defence", "Cyber defence"),
            ("wps", "Women, Peace and Security"),
        ],
        "IPCP-AUS-2013",
    ),
    _ipcp(
        "JPN",
        D(2014, 5, 6),
        D(2020, 5, 5),
        D(2014, 5, 6),
        [
            ("cyber-defence", "Cyber defence"),
            ("hadr", "Disaster relief"),
            ("counter-terrorism", "Counter-terrorism"),
        ],
    ),
    _ipcp(
        "JPN",
        D(2020, 5, 6),
        D(2022, 12, 31),
        D(2020, 5, 6),
        [
            ("cyber-defence", "Cyber defence"),
            ("maritime-security", "Maritime security"),
            ("hadr", "Disaster relief"),
            ("wps", "Women, Peace and Security"),
        ],
        "IPCP-JPN-2014",
    ),
    _ipcp(
        "KOR",
        D(2012, 9, 1),
        D(2017, 8, 31),
        D(2012, 9, 1),
        [("counter-terrorism", "Counter-terrorism"), ("operations-missions", "Operations")],
    ),
    _ipcp(
        "KOR",
        D(2017, 9, 1),
        D(2019, 11, 20),
        D(2017, 9, 1),
        [("counter-terrorism", "Counter-terrorism"), ("cyber-defence", "Cyber defence")],
        "IPCP-KOR-2012",
    ),
    _ipcp(
        "KOR",
        D(2019, 11, 21),
        D(2022, 12, 31),
        D(2019, 11, 21),
        [
            ("cyber-defence", "Cyber defence"),
            ("arms-control", "Non-proliferation"),
            ("science-technology", "Science"),
        ],
        "IPCP-KOR-2017",
    ),
    replace(
        _ipcp(
            "NZL",
            D(2012, 6, 4),
            D(2018, 6, 3),
            D(2012, 6, 4),
            [("operations-missions", "Operations"), ("interoperability", "Interoperability")],
        ),
        expired_on=D(2018, 6, 3),
    ),
]


def create_demo_programmes(session: Session) -> int:
    """Create the demo programmes (idempotent by reference); return how many exist now."""
    service = ProgrammeService(session, SYSTEM)
    repo = ProgrammeRepository(session, SYSTEM)
    for spec in [*IPCPS, *ITPPS]:
        ref = f"{spec.kind.value}-{spec.partner}-{spec.start.year}"
        if repo.unfiltered_by_reference(ref) is None:
            _build(service, repo, spec)
    return len(IPCPS) + len(ITPPS)


def _build(service: ProgrammeService, repo: ProgrammeRepository, spec: Spec) -> None:
    view = service.create(
        ProgrammeCreate(
            partner=spec.partner,
            kind=spec.kind,
            title=spec.title,
            period_start=spec.start,
            period_end=spec.end,
            marking=spec.marking,
        )
    )
    ref = view.programme.reference
    if spec.supersedes:
        previous = repo.unfiltered_by_reference(spec.supersedes)
        view.programme.supersedes_id = previous.id if previous else None
    objective_ids = [
        service.add_objective(ref, ObjectiveCreate(title=t, description=d)).row.id
        for t, d in spec.objectives
    ]
    section_ids = [
        service.add_section(ref, SectionCreate(heading=h, body=b, marking=m)).row.id
        for h, b, m in spec.sections
    ]
    for goal in spec.goals:
        _goal(service, ref, goal, objective_ids)
    service.transition(ref, ProgrammeStatus.NEGOTIATING, spec.approved_on - dt.timedelta(days=60))
    for index, body, why in spec.redrafts:
        service.update_section(ref, section_ids[index], SectionUpdate(body=body, note=why))
    service.transition(ref, ProgrammeStatus.SUBMITTED, spec.approved_on - dt.timedelta(days=14))
    service.record_approval(ref, spec.approved_on, spec.approval_reference)
    service.transition(ref, ProgrammeStatus.AGREED, spec.agreed_on)
    if spec.in_force_on is not None:
        service.transition(ref, ProgrammeStatus.IN_FORCE, spec.in_force_on)
    if spec.expired_on is not None:
        service.transition(ref, ProgrammeStatus.EXPIRED, spec.expired_on)


def _goal(service: ProgrammeService, ref: str, goal: Goal, objective_ids: list[int]) -> None:
    created = service.add_goal(
        ref,
        GoalCreate(
            objective_id=objective_ids[goal.objective],
            area=goal.area,
            title=goal.title,
            wording=goal.wording,
            indicator=goal.indicator,
            target=goal.target,
            due_on=goal.due,
            status=goal.status,
            marking=goal.marking,
        ),
    )
    for act in goal.activities:
        service.add_activity(
            ref,
            ActivityCreate(
                goal_id=created.row.id,
                title=act.title,
                kind=act.kind,
                start_on=act.start,
                end_on=act.end,
                status=act.status,
                owner=act.owner,
                location=act.location,
                marking=act.marking,
            ),
        )

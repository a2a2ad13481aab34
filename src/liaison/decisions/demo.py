# SPDX-License-Identifier: Apache-2.0
"""Demo decisions for ``liaison init --demo``: allied delegation accounts and the record of
real decisions (DOMAIN.md sections 2, 4 to 6), each with its sources.

- Tokyo liaison office: a draft circulated to the 31 allies in spring 2023 under silence;
  France objected, silence broke, the office was shelved. The exact days of circulation,
  deadline and objection are not public: the demo places them between Finland's accession
  (4 April 2023, so 31 allies) and the Vilnius summit, from the press reports cited.
- Geneva multilateral liaison office: allied approval on 14 December 2023 (silence, adopted).
- Amman liaison office: decided at the Washington summit in July 2024 by the 32 allies
  (meeting, adopted); it opened on 16 September 2025.
- AP4 ITPP approvals: created only when the programmes feature can name the ITPPs
  (``describe_subject``); skipped with a note otherwise.
- One live silence procedure (illustrative, not a historical record) so the inbox and the
  countdown have something to show.

Past decisions are recorded as the console (``record_past``): their subjects already carry the
outcome in the registry, so the effects find nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.decisions.consensus import Procedure, Stance
from liaison.decisions.models import Proposal
from liaison.decisions.schemas import PositionCreate, ProposalCreate
from liaison.decisions.service import DecisionService, ProposalView
from liaison.errors import LiaisonError
from liaison.events import SubjectKind, describe_subject
from liaison.identity.service import IdentityService
from liaison.kit import clock
from liaison.registry.models import Office
from liaison.security.classification import Classification
from liaison.security.models import OrganisationKind
from liaison.security.permissions import Role
from liaison.security.principal import SYSTEM

DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 - printed by `init --demo`, demo only
UTC = dt.UTC

DELEGATIONS = [
    ("france", "French delegation officer", "Delegation of France to NATO", "FRA"),
    ("germany", "German delegation officer", "Delegation of Germany to NATO", "DEU"),
    ("sweden", "Swedish delegation officer", "Delegation of Sweden to NATO", "SWE"),
]


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    describe: str


@dataclass
class DemoReport:
    accounts: list[DemoUser] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def create_delegation_accounts(session: Session) -> list[DemoUser]:
    """One user in each of three allies' delegations (idempotent)."""
    identity = IdentityService(session, SYSTEM)
    orgs = {o.name for o in identity.organisations()}
    users = {u.username for u in identity.users()}
    made = []
    for username, display, org, nation in DELEGATIONS:
        if org not in orgs:
            identity.create_organisation(org, OrganisationKind.ALLY_DELEGATION, nation)
        if username not in users:
            identity.create_user(
                username,
                display_name=display,
                organisation=identity.organisation(org),
                clearance=Classification.NATO_SECRET,
                roles={Role.MEMBER},
                password=DEMO_PASSWORD,
            )
        made.append(DemoUser(username, f"{org} (NS): records {nation}'s positions"))
    return made


def _office_id(session: Session, name: str) -> str | None:
    found = session.scalar(select(Office.id).where(Office.name == name))
    return str(found) if found is not None else None


def _exists(session: Session, title: str) -> bool:
    return session.scalar(select(Proposal.id).where(Proposal.title == title)) is not None


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


TOKYO_SOURCES = "\n".join(  # noqa: FLY002 - one source a line
    [
        "https://www.nippon.com/en/in-depth/d00914/",
        "https://www.spacewar.com/reports/France_cool_on_proposal_for_NATO_office_in_Japan_official_999.html",
        "https://generationt.asia/liaison-office-between-atlantic-alliance-and-japan-remains-on-the-table-observer/",
        "https://www.nippon.com/en/news/yjj2025062500291/nato-not-discussing-tokyo-office-plan-official.html",
        "Days of circulation, deadline and objection not public; placed April-June 2023.",
    ]
)
GENEVA_SOURCES = "\n".join(  # noqa: FLY002 - one source a line
    [
        "https://www.swissinfo.ch/eng/international-geneva/nato-could-open-liaison-office-in-geneva-this-year/75030915",
        "Allied approval 14 Dec 2023; the procedure's opening day is not public.",
    ]
)
AMMAN_SOURCES = "\n".join(  # noqa: FLY002 - one source a line
    [
        "https://jordantimes.com/news/local/nato-opens-liaison-office-in-amman-first-political-presence-in-middle-east",
        "Decided at the Washington summit, July 2024; opened 16 Sep 2025.",
    ]
)


def _office_opening(
    service: DecisionService, office_name: str, opened: str, **proposal: object
) -> ProposalView | None:
    """The record of a past decision to open the office named ``office_name``; None when the
    office is not in the registry or the decision is recorded already."""
    office = _office_id(service.session, office_name)
    if office is None or _exists(service.session, str(proposal["title"])):
        return None
    data = ProposalCreate(subject_kind=SubjectKind.OFFICE_OPENING, subject_ref=office, **proposal)
    return service.open(data, opened_at=_at(opened), record_past=True)


def _tokyo(service: DecisionService, report: DemoReport) -> None:
    view = _office_opening(
        service,
        "NATO Liaison Office Tokyo",
        "2023-04-11T09:00:00",
        title="Opening of a NATO liaison office in Tokyo",
        text="The Council agrees to open a NATO liaison office in Tokyo in 2024, staffed by "
        "one person, to deepen political dialogue and practical cooperation with Japan and "
        "the Indo-Pacific partners.",
        marking="NR",
        procedure=Procedure.SILENCE,
        deadline=_at("2023-06-09T12:00:00"),
        sources=TOKYO_SOURCES,
    )
    if view is None:
        return
    service.record_position(
        view.proposal.id,
        PositionCreate(
            ally="FRA",
            stance=Stance.BREAK_SILENCE,
            statement="France breaks silence: Articles 5 and 6 of the Washington Treaty limit the "
            "Alliance to the North Atlantic area; the contact-point embassies already serve "
            "NATO in Japan.",
        ),
        at=_at("2023-06-06T10:00:00"),
    )
    report.proposals.append(f"{view.proposal.reference} Tokyo office: silence broken by France")


def _geneva(service: DecisionService, report: DemoReport) -> None:
    view = _office_opening(
        service,
        "NATO Multilateral Liaison Office Geneva",
        "2023-12-07T12:00:00",
        title="Opening of the NATO multilateral liaison office in Geneva",
        text="The Council agrees to open a multilateral liaison office in Geneva, with one "
        "staff member hosted at the Geneva Centre for Security Policy.",
        marking="NU",
        procedure=Procedure.SILENCE,
        deadline=_at("2023-12-14T12:00:00"),
        sources=GENEVA_SOURCES,
    )
    if view is not None:
        report.proposals.append(f"{view.proposal.reference} Geneva office: adopted 2023-12-14")


def _amman(service: DecisionService, report: DemoReport) -> None:
    view = _office_opening(
        service,
        "NATO Liaison Office Amman",
        "2024-07-09T09:00:00",
        title="Opening of a NATO liaison office in Amman",
        text="The Heads of State and Government agree to open a NATO liaison office in "
        "Amman, the Alliance's first political presence in the Middle East.",
        marking="PUBLIC",
        procedure=Procedure.MEETING,
        sources=AMMAN_SOURCES,
    )
    if view is None:
        return
    for elector in service.electors(view.proposal.id):
        service.record_position(
            view.proposal.id,
            PositionCreate(ally=elector.iso3, stance=Stance.CONCUR),
            at=_at("2024-07-10T15:00:00"),
        )
    report.proposals.append(f"{view.proposal.reference} Amman office: adopted by 32 at a meeting")


ITPPS = [
    ("ITPP-KOR-2023", "2023-07-04T09:00:00", "2023-07-11T09:00:00"),
    ("ITPP-JPN-2023", "2023-07-04T09:00:00", "2023-07-11T09:00:00"),
    ("ITPP-AUS-2023", "2023-07-04T09:00:00", "2023-07-11T09:00:00"),
]


def _itpps(service: DecisionService, report: DemoReport) -> None:
    """The AP4 ITPP approvals, if the programmes feature can name them here."""
    for ref, opened, deadline in ITPPS:
        try:
            subject = describe_subject(service.session, SYSTEM, SubjectKind.ITPP_APPROVAL, ref)
        except LiaisonError as exc:
            report.notes.append(f"skipped the {ref} approval: {exc.message}")
            continue
        title = f"Approval of {subject.title if subject else ref}"
        if _exists(service.session, title):
            continue
        view = service.open(
            ProposalCreate(
                subject_kind=SubjectKind.ITPP_APPROVAL,
                subject_ref=ref,
                title=title,
                text=f"The Council approves {ref} for 2023-2026, before the partner's "
                "agreement at the Vilnius summit.",
                marking="NU",
                procedure=Procedure.SILENCE,
                deadline=_at(deadline),
                sources="The procedure the Council used is not public (DOMAIN.md §6); "
                "approval before the partner signed at Vilnius, 11-12 July 2023.",
            ),
            opened_at=_at(opened),
            record_past=True,
        )
        report.proposals.append(f"{view.proposal.reference} {ref}: approved")


def _live(service: DecisionService, report: DemoReport) -> None:
    title = "Follow-up of the Washington summit flagship projects with the Indo-Pacific partners"
    if _exists(service.session, title):
        return
    now = clock.utcnow().replace(microsecond=0)
    view = service.open(
        ProposalCreate(
            title=title,
            text="The Council agrees to take forward with the Indo-Pacific partners the four "
            "flagship projects launched at the Washington summit: support to Ukraine, cyber "
            "defence, countering disinformation, and artificial intelligence.\n\nThe "
            "International Staff will report on progress before the partners' ITPPs expire "
            "at the end of 2026.",
            marking="NU",
            procedure=Procedure.SILENCE,
            deadline=now + dt.timedelta(days=10),
            sources="Illustrative live procedure for the demo, not a historical record.\n"
            "https://geoindopacific.com/news/nato-to-launch-4-new-defense-projects-with-indo-pacific-partners",
        ),
    )
    report.proposals.append(f"{view.proposal.reference} live silence procedure (10 days)")


def create_demo_decisions(session: Session) -> DemoReport:
    """Delegation accounts and the demo proposals (idempotent); what was done."""
    report = DemoReport(accounts=create_delegation_accounts(session))
    service = DecisionService(session, SYSTEM)
    for step in (_tokyo, _geneva, _amman, _itpps, _live):
        step(service, report)
    service.settle()
    return report

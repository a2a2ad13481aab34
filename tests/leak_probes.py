"""What every leak suite shares: the readers, the probe markings, and a reader's principal."""

from sqlalchemy import select

from liaison.db.session import session_factory, unit_of_work
from liaison.registry.service import nation_profile
from liaison.security.authn import principal_for
from liaison.security.models import User
from liaison.security.principal import ANONYMOUS, Principal

# Anonymous and the demo users: ally side at CTS, NS (cyber) and NR; Japan (agreement), Korea
# (none), Australia (agreement, cyber).
USERS = [None, "admin", "officer", "analyst", "japan", "korea", "australia"]

# Every level, NATO-only and released to nations and groups, caveats, need-to-know.
PROBE_MARKINGS = [
    "PUBLIC",
    "NU // REL KOR",
    "NU // REL IP4",
    "NU",
    "NR // REL JPN",
    "NR // REL AUS, JPN",
    "NR",
    "NC // REL JPN",
    "NC",
    "NS // REL AUS",
    "NS // NTK cyber",
    "NS // REL AUS // NTK cyber",
    "NATO SECRET ATOMAL",
    "COSMIC TOP SECRET // REL JPN",
]


def principal_of(engine, username) -> Principal:
    if username is None:
        return ANONYMOUS
    with unit_of_work(session_factory(engine)) as session:
        user = session.scalar(select(User).where(User.username == username))
        return principal_for(session, user, nation_profile)

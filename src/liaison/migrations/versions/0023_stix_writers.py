# SPDX-License-Identifier: Apache-2.0
"""stix_object: who wrote each line of versions (the STIX writer's side)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 20:30:00

The write policy (``security.writes``) now covers the STIX store: a version is added to, or
deleted from, a line of versions (``chain``, migration 0017) only by its owner — the alliance
side for alliance material, the partner organisation that started it for a partner's — or an
administrator. Each row gets ``owner_side`` and ``owner_organisation_id`` (``Owned``; every
row of a line carries its line's owner).

Back-fill: alliance material (``ally``, no organisation) — the demo data, the console's and
allies' writes, federation pulls. A line whose first version was stored by a user of a partner
mission (the audit trail's ``sharing:objects:add`` events name the versions each write stored)
becomes that mission's, when the version names one line only; anything ambiguous stays
alliance material, which a partner cannot change (fail closed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_EVENTS = sa.table(
    "audit_event",
    sa.column("action", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("actor_user_id", sa.Integer()),
    sa.column("after", sa.JSON()),
)
_USERS = sa.table("app_user", sa.column("id", sa.Integer()), sa.column("organisation_id"))
_ORGS = sa.table("organisation", sa.column("id", sa.Integer()), sa.column("kind", sa.String()))


def upgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "owner_side",
                sa.Enum("ally", "partner", name="owner_side", native_enum=False, length=40),
                server_default="ally",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("owner_organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_stix_object_owner_organisation_id_organisation",
            "organisation",
            ["owner_organisation_id"],
            ["id"],
        )
    _back_fill_partner_lines(op.get_bind())


def _back_fill_partner_lines(connection: sa.Connection) -> None:
    written = (
        sa.select(_EVENTS.c.object_id, _EVENTS.c.after, _USERS.c.organisation_id)
        .join(_USERS, _USERS.c.id == _EVENTS.c.actor_user_id)
        .join(_ORGS, _ORGS.c.id == _USERS.c.organisation_id)
        .where(_EVENTS.c.action == "sharing:objects:add", _ORGS.c.kind == "partner_mission")
    )
    by_partner: dict[tuple[str, str, str], int] = {}
    for collection_id, after, organisation_id in connection.execute(written):
        for stix_id, version in (after or {}).get("objects", []):
            by_partner[(collection_id, stix_id, version)] = organisation_id
    if not by_partner:
        return
    every_add = sa.select(_EVENTS.c.object_id, _EVENTS.c.after).where(
        _EVENTS.c.action == "sharing:objects:add"
    )
    named: Counter[tuple[str, str, str]] = Counter()
    for collection_id, after in connection.execute(every_add):
        for stix_id, version in (after or {}).get("objects", []):
            named[(collection_id, stix_id, version)] += 1
    first_of = sa.text(
        "SELECT chain FROM stix_object WHERE collection_id = :c AND stix_id = :s "
        "AND version = :v AND is_first"
    )
    own = sa.text(
        "UPDATE stix_object SET owner_side = 'partner', owner_organisation_id = :o "
        "WHERE collection_id = :c AND stix_id = :s AND chain = :chain"
    )
    for (collection_id, stix_id, version), organisation_id in by_partner.items():
        if named[(collection_id, stix_id, version)] != 1:
            continue
        key: dict[str, Any] = {"c": collection_id, "s": stix_id, "v": version}
        chains = list(connection.execute(first_of, key).scalars())
        if len(chains) == 1:
            connection.execute(own, {**key, "o": organisation_id, "chain": chains[0]})


def downgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_stix_object_owner_organisation_id_organisation", type_="foreignkey"
        )
        batch_op.drop_column("owner_organisation_id")
        batch_op.drop_column("owner_side")

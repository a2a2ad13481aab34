# SPDX-License-Identifier: Apache-2.0
"""Sharing tables.

- ``taxii_collection``: a TAXII collection; who may read and write it is a list of audience
  entries (``all``, ``ally``, ``nation:KOR``, ``community:cyber``, ``org:<name>``), and
  ``default_marking_id`` marks objects that name no Liaison marking of their own;
- ``stix_object``: one row per stored version of a STIX object in a collection: its canonical
  JSON text as received (``body``) and the indexed columns TAXII filters on. ``marking_id`` is
  the *effective* marking the policy filters on: the most restrictive of the marking every
  version of the object names (``own_marking_id``) and of the objects it references;
  ``pending_refs`` counts references to objects not in the store (such a row is shown to
  nobody but the console, so a reference never tells a hidden object from a missing one);
  ``owner_side``/``owner_organisation_id`` (``security.models.Owned``, migration 0023) name
  who wrote the line a row belongs to: the alliance side, or the partner organisation;
- ``stix_ref``: each STIX id a stored version references (``*_ref``/``*_refs`` other than
  markings and ``created_by_ref``), so a newly stored object can re-cap what names it;
- ``taxii_status``: the status resource of one POST, readable only by the user who posted.

Invariants: a (collection, stix id, chain, version) is stored once; ``is_latest``/``is_first``
mark the newest and oldest stored version of each line (``chain``) of an object in its
collection; every version of one line carries the same effective marking, so no version list
reveals a hidden newer one. A writer adds a version only to a line whose every version it may
read (``security.policy.can_add_version``); a writer who may read no line of the id starts its
own, so the answer to a write is the same whether or not hidden objects share its id. Every
version of a line has the owner of the writer who started it; only that owner (its side for
alliance material, its organisation for a partner's) or an administrator adds a version to it
or deletes from it (``security.writes``), and a version keeps the line's ``created_by_ref``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.db.base import Base, UTCDateTime
from liaison.security.models import Marked, Owned


class TaxiiCollection(Base):
    __tablename__ = "taxii_collection"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID, as TAXII wants
    alias: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    readers: Mapped[list[str]] = mapped_column(JSON, default=list)
    writers: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class StixObject(Marked, Owned, Base):
    __tablename__ = "stix_object"
    __table_args__ = (
        # stix_id first: the one index serves uniqueness, a collection's versions of an object
        # and every lookup by STIX id (one random-key index to keep up on ingest, not two)
        UniqueConstraint(
            "stix_id", "version", "collection_id", "chain", name="uq_stix_object_version"
        ),
        # Pages are keyed on what their reader sees (date_added, then id and version), so a
        # cursor names no row id (migration 0017).
        Index("ix_stix_object_page", "collection_id", "date_added", "stix_id", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("taxii_collection.id", ondelete="CASCADE")
    )
    stix_id: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(250))
    version: Mapped[str] = mapped_column(String(40))  # STIX timestamp, canonical: ...ffffffZ
    spec_version: Mapped[str] = mapped_column(String(8))
    date_added: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    is_latest: Mapped[bool] = mapped_column(Boolean)
    is_first: Mapped[bool] = mapped_column(Boolean)
    own_marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"))
    # Not indexed on its own (unlike ``Marked``'s default): every read walks
    # ``ix_stix_object_page`` in keyset order and filters by marking on the way, which a
    # planner tempted by a marking index (stale statistics after a bulk load) would turn into
    # sorting the whole collection for each page.
    marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"))
    pending_refs: Mapped[int] = mapped_column(Integer, default=0)
    # Which line of versions of the object this row belongs to (numbered by the date_added of
    # the write that started it, in µs; 0 for lines stored before migration 0017): a writer
    # who may not read every version of an existing line starts its own, so nobody adds a
    # version to, or learns of, versions they may not read (issue 15).
    chain: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    body: Mapped[str] = mapped_column(Text)


class StixRef(Base):
    __tablename__ = "stix_ref"

    row_id: Mapped[int] = mapped_column(
        ForeignKey("stix_object.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(300), primary_key=True, index=True)


class TaxiiStatus(Base):
    __tablename__ = "taxii_status"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    collection_id: Mapped[str] = mapped_column(String(36))
    request_timestamp: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    total_count: Mapped[int] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    successes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class TaxiiRemote(Base):
    """A remote TAXII 2.1 collection pulled into a local one (federation).

    ``url`` is the remote collection's URL; requests go only there (never to a URL the remote
    sends back); ``added_after`` is where the next pull resumes. The remote password or token
    is stored encrypted (``sharing.federation``). ``ceiling_marking_id`` caps every pulled
    object: what arrives is never more releasable than the agreement with that remote allows.
    """

    __tablename__ = "taxii_remote"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(1000))
    username: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(Text)  # Fernet token of the password or API token
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("taxii_collection.id", ondelete="CASCADE")
    )
    ceiling_marking_id: Mapped[int] = mapped_column(ForeignKey("marking.id"))
    added_after: Mapped[str | None] = mapped_column(String(40))
    last_pulled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

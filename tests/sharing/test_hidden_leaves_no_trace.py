# SPDX-License-Identifier: Apache-2.0
"""Issue 15's property: Korea's view of a collection is a function of what Korea may read.

Hypothesis draws envelopes that mix objects Korea may read (PUBLIC, NU // REL KOR,
NU // REL IP4: new objects, later versions, relationships among them, SCOs) with objects it
may not (NU, NR // REL JPN, NS: the same kinds, relationships to either part, versions of
hidden objects). The administrator posts them into collection A whole, and into collection B
without the hidden objects, envelope by envelope at the same clock times. Korea then posts
into both: versions of hidden ids, SCOs whose values are held hidden, a relationship to a
hidden object, and fresh objects. Every answer Korea gets — write statuses, objects, manifest,
versions, one object, ``more``, ``X-TAXII-Date-Added-*`` headers, timestamps and the positions
its cursors name — must be byte for byte the same in A and B, apart from the collection's id
(which is also in each cursor's associated data: the cursors are compared by the position
they seal). ``LIAISON_TAXII_PROPERTY_EXAMPLES`` sets the examples per backend (15 in the
suite).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sharing_helpers import KEY, ROOT, make_collection, marking_ref, taxii_headers

from liaison.db.session import session_factory, unit_of_work
from liaison.security.principal import SYSTEM
from liaison.sharing import cursor
from liaison.sharing import ingest as ingest_module
from liaison.sharing import service as service_module
from liaison.sharing.repository import ObjectQuery
from liaison.sharing.service import SharingService

EXAMPLES = int(os.environ.get("LIAISON_TAXII_PROPERTY_EXAMPLES", "15"))  # per backend
VISIBLE = ["PUBLIC", "NU // REL KOR", "NU // REL IP4"]
HIDDEN = ["NU", "NR // REL JPN", "NS"]
_NAMESPACE = uuid.UUID("00abcdef-0000-4000-8000-000000000015")
_counter = itertools.count()

item = st.tuples(
    st.booleans(),  # hidden?
    st.sampled_from(["new", "version", "relationship", "sco"]),
    st.integers(0, 2),  # marking within its part
    st.integers(0, 30),  # which earlier object (modulo how many there are)
    st.integers(0, 30),
)
envelopes = st.lists(st.lists(item, min_size=1, max_size=6), min_size=1, max_size=4)
korea_writes = st.lists(
    st.sampled_from(["hidden-version", "hidden-same", "hidden-sco", "rel-hidden", "fresh"]),
    min_size=1,
    max_size=4,
)


def _ts(n: int) -> str:
    return (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def _indicator(ident: str, n: int, marking: str | None, modified: int = 0) -> dict:
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": ident,
        "created": _ts(0),
        "modified": _ts(modified),
        "name": f"Indicator {n} v{modified}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    if marking:
        obj["object_marking_refs"] = [marking]
    return obj


def _sco(value: int, marking: str | None, hidden: bool) -> dict:
    text = f"203.0.113.{value + (100 if hidden else 0)}"
    obj = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid5(_NAMESPACE, text)}",
        "value": text,
    }
    if marking:
        obj["object_marking_refs"] = [marking]
    return obj


def _relationship(ident: str, source: str, target: str, marking: str) -> dict:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": ident,
        "created": _ts(1),
        "modified": _ts(1),
        "relationship_type": "related-to",
        "source_ref": source,
        "target_ref": target,
        "object_marking_refs": [marking],
    }


def _build(drawn, refs):
    """The envelopes as (visible part, hidden part) lists of objects, and the hidden objects'
    ids and SCOs (for Korea's writes)."""
    made = {False: [], True: []}  # (id, n, marking text, versions so far) per part
    out, scos = [], {True: [], False: []}
    n = next(_counter) * 1000
    for envelope in drawn:
        parts = {False: [], True: []}
        order: list[tuple[bool, dict]] = []  # both parts, interleaved as drawn
        for hidden, kind, m, j, k in envelope:
            before = {h: len(p) for h, p in parts.items()}
            text = (HIDDEN if hidden else VISIBLE)[m]
            mref, mdef = refs[text]
            if mdef not in parts[hidden]:
                parts[hidden].append(mdef)
            pool = made[hidden]
            n += 1
            if kind == "version" and pool:
                entry = pool[j % len(pool)]
                entry[3] += 1
                parts[hidden].append(_indicator(entry[0], entry[1], refs[entry[2]][0], entry[3]))
            elif kind == "relationship" and made[False]:
                source = made[False][j % len(made[False])][0]
                targets = made[hidden] or made[False]
                target = targets[k % len(targets)][0]
                rel = _relationship(f"relationship--{uuid.uuid4()}", source, target, mref)
                parts[hidden].append(rel)
            elif kind == "sco":
                sco = _sco(j % 4, mref, hidden)
                if sco["id"] not in {o["id"] for o in parts[hidden]}:
                    parts[hidden].append(sco)
                    scos[hidden].append(sco)
            else:
                ident = f"indicator--{uuid.uuid4()}"
                pool.append([ident, n, text, 0])
                parts[hidden].append(_indicator(ident, n, mref))
            for h in (False, True):
                order += [(h, o) for o in parts[h][before[h] :]]
        out.append(order)
    return out, [e[0] for e in made[True]], scos[True]


def _korea_envelope(writes, hidden_ids, hidden_scos):
    """Korea's envelope: versions of hidden ids (later, or the very version held hidden), SCOs
    whose values are held hidden, relationships from an object of Korea's to a hidden id
    (which Korea may also be writing a line of), and fresh objects."""
    objects = []
    targets = hidden_ids
    for n, kind in enumerate(writes):
        if kind in {"hidden-version", "hidden-same"} and hidden_ids:
            ident = hidden_ids[n % len(hidden_ids)]
            later = 5 if kind == "hidden-version" else 0
            obj = _indicator(ident, n, None, later)
        elif kind == "hidden-sco" and hidden_scos:
            sco = hidden_scos[n % len(hidden_scos)]
            obj = {k: v for k, v in sco.items() if k != "object_marking_refs"}
        elif kind == "rel-hidden" and targets:
            mine = _indicator(f"indicator--{uuid.uuid4()}", 900 + n, None)
            objects.append(mine)
            target = targets[n % len(targets)]
            obj = _relationship(f"relationship--{uuid.uuid4()}", mine["id"], target, "")
            obj.pop("object_marking_refs")
        else:
            obj = _indicator(f"indicator--{uuid.uuid4()}", 800 + n, None)
        if obj["id"] not in {o["id"] for o in objects}:
            objects.append(obj)
    return objects


def _view(client, headers, cid, ids, cursor_key):
    """Everything Korea can learn about a collection, with its id taken out."""
    seen = []
    base = f"{ROOT}/collections/{cid}"

    def grab(path, **params):
        r = client.get(f"{base}{path}", params=params, headers=headers)
        body = r.json()
        token = body.pop("next", None) if isinstance(body, dict) else None
        headers_seen = {
            k: v for k, v in r.headers.items() if k.lower().startswith("x-taxii-date-added")
        }
        seen.append((path, r.status_code, body, headers_seen))
        return body, token

    for path, kind in (("/objects/", "objects"), ("/manifest/", "manifest")):
        params = {"limit": 3, "match[version]": "all"}
        token = None
        while True:
            body, token = grab(path, **params, **({"next": token} if token else {}))
            if token:
                scope = f"{kind}|{cid}||{_scope_of()}|korea"
                seen.append(("cursor", cursor.decode(cursor_key, token, scope)))
            if not body.get("more"):
                break
    for ident in ids:
        grab(f"/objects/{ident}/")
        grab(f"/objects/{ident}/versions/")
    return orjson.dumps(seen, default=str).replace(cid.encode(), b"C")


def _scope_of():
    return ObjectQuery(versions=("all",)).scope()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=envelopes, writes=korea_writes)
def test_koreas_view_depends_only_on_what_korea_may_read(
    client, auth, engine, settings, monkeypatch, drawn, writes
):
    clock = {"now": dt.datetime(2027, 1, 1, tzinfo=dt.UTC)}
    # The write path's clock (date_added, a status's request_timestamp) and the service's.
    monkeypatch.setattr(ingest_module, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(service_module, "utcnow", lambda: clock["now"])
    with unit_of_work(session_factory(engine)) as session:
        refs = {t: marking_ref(session, t) for t in VISIBLE + HIDDEN}
    built, hidden_ids, hidden_scos = _build(drawn, refs)
    korea_objects = _korea_envelope(writes, hidden_ids, hidden_scos)
    start = clock["now"]
    answers = []
    for with_hidden in (True, False):
        n = next(_counter)
        cid = make_collection(
            engine,
            title=f"Probe {n}",
            alias=f"p{n}",
            writers=("ally", "partner"),
            default="NU // REL IP4",
        )
        for i, parts in enumerate(built):
            clock["now"] = start + dt.timedelta(seconds=i)
            objects = [o for hidden, o in parts if with_hidden or not hidden]
            if not objects:
                continue
            with unit_of_work(session_factory(engine)) as session:
                outcome = SharingService(session, SYSTEM, KEY).post(cid, objects)
                assert not outcome.refused, outcome.status.failures[:2]
        clock["now"] = start + dt.timedelta(seconds=60)
        h = taxii_headers(auth("korea"))
        r = client.post(
            f"{ROOT}/collections/{cid}/objects/",
            json={"objects": korea_objects},
            headers=taxii_headers(auth("korea"), post=True),
        )
        status = r.json()
        status.pop("id")
        ids = sorted({o["id"] for p in built for _, o in p} | {o["id"] for o in korea_objects})
        view = _view(client, h, cid, ids, settings.taxii_cursor_key.encode())
        answers.append((orjson.dumps(status), view))
    assert answers[0][0] == answers[1][0]
    assert answers[0][1] == answers[1][1]

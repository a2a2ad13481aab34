"""Many clients at once get answers, never a 500: more concurrent requests than the server has
worker threads and pooled connections — audited reads and writes mixed, on both backends —
all succeed, the audit chain stays one line, and requests beyond the slots wait without a
thread (``web.deps.db_slot``)."""

from __future__ import annotations

import threading
from collections import Counter

from fastapi.testclient import TestClient

from liaison.app import create_app, db_slots

CLIENTS = 60  # more than the 40 worker threads and the 15 pooled connections
ROUNDS = 4


def test_more_clients_than_threads_and_connections_all_get_answers(settings, engine, auth):
    officer, japan = auth("officer"), auth("japan")
    with TestClient(create_app(settings, engine=engine)) as client:
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        start = threading.Barrier(CLIENTS)

        def one_client(n: int) -> None:
            start.wait()
            for round_ in range(ROUNDS):
                if (n + round_) % 3 == 0:
                    r = client.post(
                        "/api/v1/documents/notes",
                        json={
                            "title": f"Note {n}.{round_}",
                            "marking": "NATO UNCLASSIFIED",
                            "body": "text",
                        },
                        headers=officer,
                    )
                else:
                    path = "/api/v1/documents" if round_ % 2 else "/"
                    r = client.get(path, headers=officer if n % 2 else japan)
                with lock:
                    statuses[r.status_code] += 1

        threads = [threading.Thread(target=one_client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(statuses) <= {200, 201}, statuses
    assert sum(statuses.values()) == CLIENTS * ROUNDS
    assert statuses[201] == sum((n + r) % 3 == 0 for n in range(CLIENTS) for r in range(ROUNDS))


def test_the_slots_are_fewer_than_connections_and_threads(settings, engine):
    slots = db_slots(engine, settings)
    assert slots == 15 - 3  # QueuePool: 5 + 10 overflow, less the reserved connections
    assert db_slots(engine, settings.model_copy(update={"db_slots": 4})) == 4

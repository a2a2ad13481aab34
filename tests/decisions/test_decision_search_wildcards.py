"""Issue 14, finding 8: a search's ``%`` and ``_`` match only themselves (LIKE wildcards are
escaped by ``kit.text.contains``, the one helper every search by part of a text uses)."""

import pytest


@pytest.mark.parametrize("q", ["%", "_", "%%", "A_proposal"])
def test_wildcards_in_a_decision_search_match_only_themselves(client, auth, open_proposal, q):
    open_proposal(title="A proposal")
    open_proposal(title="100% of the quota_share")
    officer = auth("officer")
    everything = client.get("/api/v1/decisions", headers=officer).json()["total"]
    assert everything == 2
    found = client.get("/api/v1/decisions", params={"q": q}, headers=officer).json()
    titles = [p["title"] for p in found["items"]]
    expected = [t for t in ("A proposal", "100% of the quota_share") if q.lower() in t.lower()]
    assert titles == expected

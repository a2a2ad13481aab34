"""``GET /api/v1/me``: the caller as the access policy sees it."""

import pytest

PROBLEM = "application/problem+json"

OFFICER_PERMISSIONS = [
    "audit:event:read",
    "catalogue:item:write",
    "catalogue:nomination:decide",
    "catalogue:nomination:write",
    "catalogue:profile:write",
    "decisions:position:record",
    "decisions:proposal:manage",
    "documents:document:downgrade",
    "documents:document:write",
    "osint:assessment:write",
    "osint:source:manage",
    "planning:plan:approve",
    "planning:plan:run",
    "programmes:comment:write",
    "programmes:programme:approve",
    "programmes:programme:write",
    "registry:entry:write",
    "sharing:collection:manage",
    "sharing:object:write",
]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "admin",
            {
                "side": "ally",
                "nation": None,
                "organisation": "NATO International Staff",
                "clearance": "COSMIC TOP SECRET",
                "communities": [],
                "agreement_ceiling": None,
            },
        ),
        (
            "officer",
            {
                "side": "ally",
                "nation": None,
                "clearance": "NATO SECRET",
                "communities": ["cyber"],
                "permissions": OFFICER_PERMISSIONS,
                "agreement_ceiling": None,
            },
        ),
        (
            "analyst",
            {
                "side": "ally",
                "nation": "ITA",
                "organisation": "Delegation of Italy to NATO",
                "clearance": "NATO RESTRICTED",
                "permissions": [],
                "groups": [],
                "agreement_ceiling": None,
            },
        ),
        (
            "japan",
            {
                "side": "partner",
                "nation": "JPN",
                "organisation": "Mission of Japan to NATO",
                "clearance": "NATO SECRET",
                "permissions": [
                    "catalogue:nomination:write",
                    "catalogue:profile:write",
                    "decisions:position:record",
                    "documents:document:write",
                    "osint:assessment:write",
                    "programmes:comment:write",
                    "sharing:object:write",
                ],
                "agreement_ceiling": "NATO SECRET",
            },
        ),
        (
            "korea",
            {
                "side": "partner",
                "nation": "KOR",
                "clearance": "NATO SECRET",
                "agreement_ceiling": None,
            },
        ),
        (
            "australia",
            {
                "side": "partner",
                "nation": "AUS",
                "communities": ["cyber"],
                "agreement_ceiling": "NATO SECRET",
            },
        ),
    ],
)
def test_me_for_each_demo_user(client, auth, username, expected):
    r = client.get("/api/v1/me", headers=auth(username))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["username"] == username
    assert body["caveats"] == []
    assert {key: body[key] for key in expected} == expected


def test_admin_holds_every_permission(client, auth):
    permissions = client.get("/api/v1/me", headers=auth("admin")).json()["permissions"]
    assert "identity:user:manage" in permissions
    assert permissions == sorted(permissions)


def test_partners_carry_their_groups(client, auth):
    body = client.get("/api/v1/me", headers=auth("japan")).json()
    assert "IP4" in body["groups"]


def test_no_secret_travels(client, auth):
    text = client.get("/api/v1/me", headers=auth("officer")).text
    for word in ("password", "hash", "csrf", "token"):
        assert word not in text.lower()


def test_anonymous_is_401_problem_json(client):
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 401

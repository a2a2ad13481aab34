def test_members_on_dates(client):
    r = client.get("/api/v1/allies", params={"member_on": "2023-07-11", "limit": 100})
    assert r.status_code == 200
    assert r.json()["total"] == 31
    r = client.get("/api/v1/allies", params={"member_on": "2024-03-07", "limit": 100})
    assert r.json()["total"] == 32

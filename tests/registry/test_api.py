"""The registry REST API against the demo registry, on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from liaison.registry.schemas import SecurityAgreementCreate

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def as_officer(client, auth):
    """The registry's writers are officers; each test here acts as the demo liaison officer
    unless it clears the headers (see TestGuards)."""
    client.headers.update(auth("officer"))


def names(response):
    return [item["country"]["iso3"] for item in response.json()["items"]]


def assert_problem(response, status, text=""):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert text in body["detail"]
    assert "Traceback" not in response.text


class TestAllies:
    @pytest.mark.parametrize(
        ("day", "count"),
        [
            ("2023-07-11", 31),
            ("2024-03-07", 32),
            ("2024-03-06", 31),
            ("1949-08-24", 12),
            ("1949-08-23", 0),
        ],
    )
    def test_members_on_a_date(self, client, day, count):
        r = client.get("/api/v1/allies", params={"member_on": day, "limit": 100})
        assert r.status_code == 200
        assert r.json()["total"] == count
        assert len(r.json()["items"]) == count

    def test_sweden_joins_on_7_march_2024(self, client):
        before = client.get("/api/v1/allies", params={"member_on": "2024-03-06", "limit": 100})
        after = client.get("/api/v1/allies", params={"member_on": "2024-03-07", "limit": 100})
        assert "SWE" not in names(before)
        assert "SWE" in names(after)

    def test_pagination_counts_the_whole_list(self, client):
        first = client.get("/api/v1/allies", params={"limit": 10}).json()
        last = client.get("/api/v1/allies", params={"limit": 10, "offset": 30}).json()
        assert (first["total"], len(first["items"]), len(last["items"])) == (32, 10, 2)
        assert first["items"][0]["country"]["name"] == "Albania"

    def test_sort_descending_by_accession(self, client):
        r = client.get("/api/v1/allies", params={"sort": "-accession_date", "limit": 2})
        assert names(r) == ["SWE", "FIN"]

    def test_unknown_sort_field_is_a_problem(self, client):
        assert_problem(
            client.get("/api/v1/allies", params={"sort": "password"}),
            422,
            "cannot sort by 'password'",
        )

    def test_bad_date_is_a_problem(self, client):
        assert_problem(client.get("/api/v1/allies", params={"member_on": "2023-13-45"}), 422)

    @pytest.mark.parametrize("ref", ["TUR", "tur", "TR", "Turkey", "Türkiye", "turkiye"])
    def test_get_by_code_or_name(self, client, ref):
        r = client.get(f"/api/v1/allies/{ref}")
        assert r.status_code == 200
        assert r.json()["accession_date"] == "1952-02-18"

    def test_unknown_ally_is_404(self, client):
        assert_problem(client.get("/api/v1/allies/JPN"), 404, "no ally 'JPN'")

    def test_create_and_find_a_new_ally(self, client):
        r = client.post(
            "/api/v1/allies", json={"country": "Ireland", "accession_date": "2025-01-01"}
        )
        assert r.status_code == 201, r.text
        assert r.json()["country"]["iso3"] == "IRL"
        assert (
            client.get("/api/v1/allies", params={"member_on": "2025-01-01"}).json()["total"] == 33
        )
        assert (
            client.get("/api/v1/allies", params={"member_on": "2024-12-31"}).json()["total"] == 32
        )

    def test_unknown_country_code(self, client):
        r = client.post("/api/v1/allies", json={"country": "XYZ", "accession_date": "2020-01-01"})
        assert_problem(r, 422, "unknown country 'XYZ'")
        assert r.json()["errors"][0]["field"] == "country"

    def test_accession_in_the_future(self, client):
        tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
        r = client.post("/api/v1/allies", json={"country": "IRL", "accession_date": tomorrow})
        assert_problem(r, 422, "is in the future")

    def test_duplicate_ally(self, client):
        r = client.post("/api/v1/allies", json={"country": "FR", "accession_date": "1949-08-24"})
        assert_problem(r, 409, "France is already an ally")

    def test_malformed_json_body(self, client):
        r = client.post(
            "/api/v1/allies",
            content=b'{"country": "IRL",',
            headers={"content-type": "application/json"},
        )
        assert_problem(r, 422)

    def test_unknown_field_is_rejected(self, client):
        r = client.post(
            "/api/v1/allies", json={"country": "IRL", "accession_date": "2020-01-01", "secret": 1}
        )
        assert_problem(r, 422, "secret")

    def test_withdrawal_must_follow_accession(self, client):
        r = client.patch("/api/v1/allies/FRA", json={"withdrawal_date": "1940-01-01"})
        assert_problem(r, 422, "withdrawal_date must be after accession_date")

    def test_withdrawal_ends_membership(self, client):
        assert (
            client.patch("/api/v1/allies/FRA", json={"withdrawal_date": "2020-01-01"}).status_code
            == 200
        )
        r = client.get("/api/v1/allies", params={"member_on": "2020-01-01", "limit": 100})
        assert "FRA" not in names(r)


class TestPartners:
    def test_indo_pacific_partners(self, client):
        r = client.get("/api/v1/partners", params={"framework": "IP4"})
        assert sorted(names(r)) == ["AUS", "JPN", "KOR", "NZL"]

    def test_suspended_partners(self, client):
        r = client.get("/api/v1/partners", params={"status": "suspended"})
        assert sorted(names(r)) == ["BLR", "RUS"]

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            ("2023-07-11", ["AUS", "JPN", "NZL"]),
            ("2009-01-01", ["AUS"]),
            ("2005-03-31", []),
        ],
    )
    def test_partners_with_an_agreement_in_force(self, client, day, expected):
        r = client.get("/api/v1/partners", params={"agreement_in_force_on": day})
        assert sorted(names(r)) == expected

    @pytest.mark.parametrize("ref", ["South Korea", "Republic of Korea", "ROK", "KOR", "kr"])
    def test_korea_by_any_name(self, client, ref):
        r = client.get(f"/api/v1/partners/{ref}")
        assert r.status_code == 200
        assert r.json()["country"]["iso3"] == "KOR"

    def test_create_partner_with_unknown_framework(self, client):
        r = client.post("/api/v1/partners", json={"country": "India", "frameworks": ["NOPE"]})
        assert_problem(r, 422, "unknown framework NOPE")

    def test_create_and_update_partner(self, client):
        r = client.post("/api/v1/partners", json={"country": "India", "frameworks": ["PAG"]})
        assert r.status_code == 201, r.text
        r = client.patch("/api/v1/partners/IND", json={"status": "suspended"})
        assert r.json()["status"] == "suspended"

    def test_duplicate_partner(self, client):
        assert_problem(client.post("/api/v1/partners", json={"country": "Japan"}), 409)


class TestSecurityAgreements:
    def test_japan_agreement_in_force_since_2010(self, client):
        r = client.get("/api/v1/security-agreements", params={"partner": "JPN", "on": "2010-06-24"})
        [agreement] = r.json()["items"]
        assert agreement["signed_on"] == "2010-06-25"
        assert agreement["status"] == "negotiating"
        r = client.get(
            f"/api/v1/security-agreements/{agreement['id']}", params={"on": "2023-01-01"}
        )
        assert r.json()["status"] == "in_force"

    def test_korea_has_none(self, client):
        assert (
            client.get("/api/v1/security-agreements", params={"partner": "KOR"}).json()["total"]
            == 0
        )

    def test_dates_must_not_run_backwards(self, client):
        r = client.post(
            "/api/v1/security-agreements",
            json={
                "partner": "KOR",
                "title": "Test",
                "kind": "binding_agreement",
                "signed_on": "2020-01-02",
                "in_force_on": "2020-01-01",
                "max_level": "NATO SECRET",
            },
        )
        assert_problem(r, 422, "in_force_on is before signed_on")

    def test_unknown_level_is_rejected(self, client):
        r = client.post(
            "/api/v1/security-agreements",
            json={
                "partner": "KOR",
                "title": "Test",
                "kind": "binding_agreement",
                "max_level": "TOP SECRET",
            },
        )
        assert_problem(r, 422, "max_level")

    def test_create_korea_agreement(self, client):
        r = client.post(
            "/api/v1/security-agreements",
            json={
                "partner": "ROK",
                "title": "Korea-NATO security agreement",
                "kind": "binding_agreement",
                "signed_on": "2024-01-01",
                "in_force_on": "2024-02-01",
                "max_level": "NATO RESTRICTED",
            },
        )
        assert r.status_code == 201, r.text
        r = client.get("/api/v1/partners", params={"agreement_in_force_on": "2024-02-01"})
        assert "KOR" in names(r)


class TestOffices:
    def office(self, client, name):
        items = client.get("/api/v1/offices", params={"limit": 100}).json()["items"]
        return next(o for o in items if o["name"] == name)

    def test_tokyo_is_shelved(self, client):
        tokyo = self.office(client, "NATO Liaison Office Tokyo")
        assert tokyo["status"] == "shelved"
        assert tokyo["shelved_on"] == "2025-06-24"
        assert tokyo["opened_on"] is None

    def test_offices_open_on_a_date(self, client):
        def open_on(day):
            r = client.get("/api/v1/offices", params={"open_on": day, "limit": 100})
            return {o["city"] for o in r.json()["items"]}

        assert "Amman" not in open_on("2025-01-01")
        assert {"Geneva", "Belgrade", "Kuwait City"} <= open_on("2025-01-01")
        assert "Amman" in open_on("2025-09-16")
        assert "Tokyo" not in open_on("2025-09-16")

    def test_lifecycle_through_the_api(self, client):
        r = client.post(
            "/api/v1/offices",
            json={
                "name": "Test office",
                "kind": "partner_liaison",
                "host_country": "NZ",
                "city": "Wellington",
                "proposed_on": "2024-01-01",
            },
        )
        assert r.status_code == 201, r.text
        office_id = r.json()["id"]
        path = f"/api/v1/offices/{office_id}/transitions"
        assert client.post(path, json={"status": "approved", "on": "2024-02-01"}).status_code == 200
        assert_problem(
            client.post(path, json={"status": "closed", "on": "2024-03-01"}),
            409,
            "cannot go from approved to closed",
        )
        assert_problem(
            client.post(path, json={"status": "open", "on": "2024-01-15"}),
            422,
            "before approved_on",
        )
        r = client.post(path, json={"status": "open", "on": "2024-03-01"})
        assert r.json()["status"] == "open"
        r = client.get("/api/v1/offices", params={"open_on": "2024-03-01", "host": "NZL"})
        assert [o["name"] for o in r.json()["items"]] == ["Test office"]

    def test_shelved_office_cannot_open(self, client):
        tokyo = self.office(client, "NATO Liaison Office Tokyo")
        r = client.post(
            f"/api/v1/offices/{tokyo['id']}/transitions",
            json={"status": "open", "on": "2025-07-01"},
        )
        assert_problem(r, 409, "cannot go from shelved to open")

    def test_duplicate_office_name(self, client):
        r = client.post(
            "/api/v1/offices",
            json={"name": "nato liaison office tokyo", "kind": "partner_liaison", "city": "Tokyo"},
        )
        assert_problem(r, 409)

    def test_dates_ahead_of_status(self, client):
        r = client.post(
            "/api/v1/offices",
            json={
                "name": "X",
                "kind": "io_liaison",
                "city": "Y",
                "status": "approved",
                "opened_on": "2020-01-01",
            },
        )
        assert_problem(r, 422, "opened_on is set but the status is only approved")

    def test_unknown_office_is_404(self, client):
        assert_problem(client.get("/api/v1/offices/999999"), 404)


class TestContactPoints:
    @pytest.mark.parametrize(("day", "ally"), [("2023-06-01", "DNK"), ("2025-06-01", "ROU")])
    def test_japan_contact_point_on_a_date(self, client, day, ally):
        r = client.get("/api/v1/partners/Japan/contact-points", params={"on": day})
        assert [m["ally"]["country"]["iso3"] for m in r.json()] == [ally]

    def test_no_contact_point_before_the_records(self, client):
        assert (
            client.get("/api/v1/partners/JPN/contact-points", params={"on": "2010-01-01"}).json()
            == []
        )

    def test_overlapping_mandate_of_one_embassy(self, client):
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={
                "partner": "JPN",
                "ally": "DNK",
                "start_on": "2024-06-01",
                "end_on": "2025-05-31",
            },
        )
        assert_problem(r, 409, "overlaps the embassy's mandate 2023-01-01 to 2024-12-31")

    def test_two_allies_may_share_a_mandate_period(self, client):
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={
                "partner": "JPN",
                "ally": "Italy",
                "start_on": "2025-01-01",
                "end_on": "2026-12-31",
            },
        )
        assert r.status_code == 201, r.text

    def test_second_open_mandate(self, client):
        ok = client.post(
            "/api/v1/contact-point-mandates",
            json={"partner": "KOR", "ally": "DEU", "start_on": "2024-01-01"},
        )
        assert ok.status_code == 201
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={"partner": "KOR", "ally": "DEU", "start_on": "2026-01-01"},
        )
        assert_problem(r, 409, "already has an open mandate")

    def test_end_before_start(self, client):
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={
                "partner": "KOR",
                "ally": "DEU",
                "start_on": "2024-01-02",
                "end_on": "2024-01-01",
            },
        )
        assert_problem(r, 422, "ends (2024-01-01) before it starts")

    def test_partner_must_be_a_partner(self, client):
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={"partner": "FRA", "ally": "DEU", "start_on": "2024-01-01"},
        )
        assert_problem(r, 404, "no partner 'FRA'")

    def test_update_may_not_create_an_overlap(self, client):
        items = client.get("/api/v1/contact-point-mandates", params={"partner": "JPN"}).json()
        romania = next(m for m in items["items"] if m["ally"]["country"]["iso3"] == "ROU")
        r = client.post(
            "/api/v1/contact-point-mandates",
            json={
                "partner": "JPN",
                "ally": "ROU",
                "start_on": "2027-01-01",
                "end_on": "2028-12-31",
            },
        )
        assert r.status_code == 201
        r = client.patch(
            f"/api/v1/contact-point-mandates/{romania['id']}", json={"end_on": "2027-06-30"}
        )
        assert_problem(r, 409, "overlaps")


class TestCountriesAndPlumbing:
    def test_search_countries_by_alias(self, client):
        r = client.get("/api/v1/countries", params={"q": "korea"})
        assert {"KOR", "PRK"} <= {c["iso3"] for c in r.json()["items"]}

    def test_country_resolution(self, client):
        assert client.get("/api/v1/countries/ROK").json()["iso3"] == "KOR"
        assert_problem(client.get("/api/v1/countries/Atlantis"), 422, "unknown country")

    def test_healthz(self, client):
        assert client.get("/healthz").json()["status"] == "ok"

    def test_openapi_lists_the_registry(self, client):
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert {
            "/api/v1/allies",
            "/api/v1/partners",
            "/api/v1/offices",
            "/api/v1/contact-point-mandates",
            "/api/v1/security-agreements",
        } <= set(paths)

    def test_unknown_route_is_problem_json(self, client):
        assert_problem(client.get("/api/v1/nothing-here"), 404)

    def test_security_headers_and_request_id(self, client):
        r = client.get("/healthz", headers={"x-request-id": "abc"})
        assert r.headers["x-request-id"] == "abc"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]

    def test_page_size_is_capped(self, client):
        assert_problem(client.get("/api/v1/allies", params={"limit": 100000}), 422)


class TestGuards:
    """Writes need ``registry:entry:write``; security agreements are marked."""

    def test_anonymous_write_is_401(self, client):
        client.headers.pop("Authorization")
        r = client.post("/api/v1/allies", json={"country": "IRL", "accession_date": "2020-01-01"})
        assert_problem(r, 401)

    def test_reader_write_is_403(self, client, auth):
        client.headers.update(auth("analyst"))
        r = client.post("/api/v1/allies", json={"country": "IRL", "accession_date": "2020-01-01"})
        assert_problem(r, 403, "registry:entry:write")

    def test_read_only_token_cannot_write(self, client, auth):
        client.headers.update(auth("officer", frozenset({"read"})))
        r = client.patch("/api/v1/allies/FRA", json={"notes": "x"})
        assert_problem(r, 403)

    def test_unknown_token_is_401(self, client):
        client.headers["Authorization"] = "Bearer lia_not-a-token"
        assert_problem(client.get("/api/v1/allies"), 401)

    def test_public_registry_reads_need_no_login(self, client):
        client.headers.pop("Authorization")
        assert client.get("/api/v1/allies").json()["total"] == 32
        assert client.get("/api/v1/partners/JPN").status_code == 200

    @pytest.mark.parametrize(
        ("user", "visible"),
        [
            (None, []),
            ("korea", []),
            ("japan", ["JPN"]),
            ("australia", ["AUS", "AUS"]),
            ("analyst", ["AUS", "AUS", "JPN", "NZL"]),
        ],
    )
    def test_agreements_are_visible_only_as_the_policy_allows(self, client, auth, user, visible):
        client.headers.pop("Authorization")
        headers = auth(user) if user else {}
        r = client.get("/api/v1/security-agreements", headers=headers, params={"limit": 100})
        assert sorted(a["partner"]["country"]["iso3"] for a in r.json()["items"]) == visible
        assert r.json()["total"] == len(visible)
        r = client.get(
            "/api/v1/partners", headers=headers, params={"agreement_in_force_on": "2023-07-11"}
        )
        assert sorted(names(r)) == sorted(set(visible))

    def test_hidden_agreement_is_404_like_a_missing_one(self, client, auth):
        items = client.get("/api/v1/security-agreements", params={"partner": "JPN"}).json()
        japan_id = items["items"][0]["id"]
        client.headers.pop("Authorization")
        hidden = client.get(f"/api/v1/security-agreements/{japan_id}", headers=auth("korea"))
        missing = client.get("/api/v1/security-agreements/999999", headers=auth("korea"))
        assert_problem(hidden, 404)
        assert hidden.json()["detail"].replace(str(japan_id), "N") == missing.json()[
            "detail"
        ].replace("999999", "N")

    def test_cannot_mark_above_own_clearance(self, client, auth):
        client.headers.update(auth("officer"))
        r = client.post(
            "/api/v1/security-agreements",
            json={
                "partner": "KOR",
                "title": "t",
                "kind": "binding_agreement",
                "max_level": "NATO SECRET",
                "marking": "COSMIC TOP SECRET",
            },
        )
        assert_problem(r, 422, "above what you may read")

    def test_agreement_carries_its_marking(self, client):
        items = client.get("/api/v1/security-agreements", params={"partner": "JPN"}).json()
        assert items["items"][0]["marking"] == "NU // REL JPN"


def test_agreements_sort_by_level_rank(client, service):
    for level in ("NATO CONFIDENTIAL", "NATO RESTRICTED"):
        service.create_agreement(
            SecurityAgreementCreate(
                partner="KOR", title=f"{level} one", kind="binding_agreement", max_level=level
            )
        )
    service.session.commit()
    r = client.get("/api/v1/security-agreements", params={"sort": "max_level", "limit": 100})
    levels = [a["max_level"] for a in r.json()["items"]]
    # By rank, not alphabetically (where CONFIDENTIAL would come before RESTRICTED).
    assert levels[:2] == ["NATO RESTRICTED", "NATO CONFIDENTIAL"]
    assert set(levels[2:]) == {"NATO SECRET"}


def test_401_names_the_scheme(client):
    client.headers.pop("Authorization")
    r = client.post("/api/v1/allies", json={"country": "IRL", "accession_date": "2020-01-01"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="liaison"'

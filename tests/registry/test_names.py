# SPDX-License-Identifier: Apache-2.0
"""Forms take names: an office by its name or city, a partner by its name or code, and a name
that matches nothing is refused with the names nearest to it (issue 16, item 3)."""

from __future__ import annotations

import pytest

from liaison.errors import InvalidInput, NotFound
from liaison.kit.text import close_matches, did_you_mean
from liaison.registry.errors import NotAPartner
from liaison.registry.schemas import OfficeCreate


def test_an_office_by_id_name_or_city(service):
    tokyo = service.find_office("NATO Liaison Office Tokyo")
    assert tokyo.city == "Tokyo"
    assert service.find_office("tokyo") is tokyo
    assert service.find_office("  nato liaison office TOKYO ") is tokyo
    assert service.find_office(str(tokyo.id)) is tokyo


def test_an_unknown_office_names_the_nearest(service):
    with pytest.raises(NotFound, match=r"no office 'Tokio'; did you mean Tokyo\?") as caught:
        service.find_office("Tokio", field="subject_ref")
    assert caught.value.field == "subject_ref"
    with pytest.raises(NotFound, match="no office 999999"):
        service.find_office("999999")
    with pytest.raises(NotFound, match="no office 12345678901234567890"):
        service.find_office("12345678901234567890")  # past any id: no query, same words


def test_a_city_with_two_offices_is_ambiguous(service):
    service.create_office(
        OfficeCreate(name="NATO Test Centre Tokyo", kind="regional_centre", city="Tokyo")
    )
    with pytest.raises(InvalidInput, match="2 offices are in Tokyo: NATO Liaison Office Tokyo"):
        service.find_office("Tokyo")
    assert service.find_office("NATO Test Centre Tokyo").kind.value == "regional_centre"


def test_a_partner_by_name_or_code_and_the_nearest_when_unknown(service):
    assert service.partner("Japan").country_iso3 == "JPN"
    assert service.partner("jp").country_iso3 == "JPN"
    with pytest.raises(NotAPartner, match=r"no partner 'Japna'; did you mean Japan\?"):
        service.partner("Japna")
    with pytest.raises(NotAPartner) as caught:
        service.partner("France")  # an ally: never suggested as a partner
    assert "France" not in caught.value.message.split(";", 1)[-1]


def test_close_matches_contain_first_then_look_alike():
    names = ["New Zealand", "Australia", "Republic of Korea", "Austria"]
    assert close_matches("korea", names) == ["Republic of Korea"]
    assert close_matches("Austrlia", names) == ["Australia", "Austria"]
    assert did_you_mean("zzz", names) == ""
    assert did_you_mean("Austrlia", names) == "; did you mean Australia or Austria?"

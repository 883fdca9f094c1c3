"""Drill-down from dashboard counts: supervisors list the calls behind a count; partners never."""

import json

from tests.dashboards.test_guard import router_request
from tests.factories import add_call, login, utc


def text_of(response) -> str:
    return json.dumps(response.json, ensure_ascii=False)


def unit_with_calls(make):
    _, _, people = make.unit()
    add_call(people["officer"], utc(2026, 3, 10, 15), disposition="arrest", district="North", incident_number="D-1")
    add_call(people["officer"], utc(2026, 3, 11, 15), disposition="resolved_on_scene", district="South",
             incident_number="D-2", person_id=None)
    return people


def test_supervisor_lists_the_calls_behind_a_kpi_with_the_same_filters(client, make):
    people = unit_with_calls(make)
    login(client, people["supervisor"])
    client.get("/dashboard/")

    overview = router_request(client, "/dashboard/", "?from=2026-03-01&to=2026-03-31&district=North")
    listing = router_request(client, "/dashboard/calls", "?from=2026-03-01&to=2026-03-31&district=North&subset=arrest_rate")

    assert overview.status_code == 200
    assert "/dashboard/calls?from=2026-03-01&to=2026-03-31&district=North&subset=ed_use" in text_of(overview)
    assert listing.status_code == 200
    assert "D-1" in text_of(listing) and "D-2" not in text_of(listing)
    assert "/field/calls/" in text_of(listing)


def test_data_quality_rows_and_outcome_bars_link_to_their_calls(client, make):
    people = unit_with_calls(make)
    login(client, people["supervisor"])
    client.get("/dashboard/")

    quality = router_request(client, "/dashboard/quality")
    outcomes = router_request(client, "/dashboard/outcomes")

    assert quality.status_code == outcomes.status_code == 200
    assert "subset=missing_person" in text_of(quality)
    assert "subset=class%3Aarrest_or_citation" in text_of(outcomes)


def test_person_based_cards_link_to_their_contacts(client, make):
    people = unit_with_calls(make)
    login(client, people["supervisor"])
    client.get("/dashboard/")

    repeat = router_request(client, "/dashboard/repeat", "?from=2026-03-01&to=2026-03-31")
    listing = router_request(client, "/dashboard/calls", "?from=2026-03-01&to=2026-03-31&subset=repeat_call_share%3Abase")

    assert repeat.status_code == listing.status_code == 200
    for subset in ("repeat_contact_rate", "repeat_call_share", "high_utilizers"):
        assert f"subset={subset}" in text_of(repeat), subset
    assert "Contacts (located calls with a person)" in text_of(listing)


def test_an_unknown_subset_is_named_and_lists_nothing(client, make):
    people = unit_with_calls(make)
    login(client, people["supervisor"])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/calls", "?from=2026-03-01&to=2026-03-31&subset=bogus")

    assert response.status_code == 200 and "filter-bar" in text_of(response)
    assert "subset=bogus is invalid" in text_of(response) and "D-1" not in text_of(response)


def test_partner_gets_no_drill_down_link_and_no_list(client, make):
    people = unit_with_calls(make)
    login(client, people["partner"])
    client.get("/dashboard/partner")

    partner_view = router_request(client, "/dashboard/partner")
    listing = router_request(client, "/dashboard/calls", "?from=2026-03-01&to=2026-03-31&subset=calls")
    page = client.get("/dashboard/calls?subset=calls")

    assert partner_view.status_code == 200 and "Calls per month" in text_of(partner_view)
    assert "/dashboard/calls" not in text_of(partner_view) and "drill" not in text_of(partner_view)
    assert listing.status_code == 403 and b"D-1" not in listing.data
    assert page.status_code == 302 and page.headers["Location"].startswith("/dashboard/partner")

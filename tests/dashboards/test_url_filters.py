"""A bad URL filter is never applied silently; presets are links that keep the other filters."""

import json

from mhu.services import metrics
from mhu.services.localtime import agency_today
from tests.dashboards.test_guard import router_request
from tests.factories import add_call, login, utc


def page_json(response) -> str:
    return json.dumps(response.json, ensure_ascii=False)


def supervisor(client, make):
    _, _, people = make.unit()
    add_call(people["officer"], utc(2026, 3, 10, 15), district="North")
    login(client, people["supervisor"])
    client.get("/dashboard/")
    return people


def test_unknown_district_is_shown_and_said_to_match_nothing(client, make):
    supervisor(client, make)

    response = router_request(client, "/dashboard/", "?from=2026-03-01&to=2026-03-31&district=Nowhere")
    text = page_json(response)

    assert response.status_code == 200 and "kpi-call_volume" in text
    assert "district=Nowhere matches nothing" in text
    assert "Nowhere (matches nothing)" in text  # the bar shows what was asked, not "All districts"


def test_invalid_team_id_is_said_to_be_invalid_and_ignored(client, make):
    supervisor(client, make)

    response = router_request(client, "/dashboard/operations", "?from=2026-03-01&to=2026-03-31&team_id=abc")
    text = page_json(response)

    assert response.status_code == 200 and "filter-bar" in text
    assert "team_id=abc is invalid" in text
    assert "North" in text  # ignored, so the agency's call is still shown


def test_other_invalid_values_each_get_a_note(client, make):
    supervisor(client, make)

    response = router_request(client, "/dashboard/",
                              "?from=2026-13-01&to=2026-03-31&call_source=pigeon&sim_intercept=9&team_id=4242")
    text = page_json(response)

    assert response.status_code == 200
    for note in ("from=2026-13-01 is invalid", "call_source=pigeon is invalid", "sim_intercept=9 is invalid",
                 "team_id=4242 matches none of the teams you can see"):
        assert note in text, note


def test_valid_filters_give_no_note(client, make):
    supervisor(client, make)

    response = router_request(client, "/dashboard/", "?from=2026-03-01&to=2026-03-31&district=North")

    assert response.status_code == 200 and "url-notes" in page_json(response)
    assert "matches nothing" not in page_json(response) and "invalid" not in page_json(response)


def test_presets_are_links_to_the_same_page_keeping_other_filters(client, make):
    supervisor(client, make)

    response = router_request(client, "/dashboard/outcomes", "?from=2026-03-01&to=2026-03-31&district=North")
    text = page_json(response)

    assert response.status_code == 200
    for name in ("Last 30 days", "Last full month", "Quarter to date", "Year to date", "Last 12 months"):
        assert name in text
    assert '"href": "/dashboard/outcomes?from=' in text and "district=North" in text


def test_preset_link_of_the_current_period_is_marked(client, make):
    people = supervisor(client, make)
    first, last = metrics.preset_period("last_30_days", today=agency_today(people["supervisor"].agency_id))

    response = router_request(client, "/dashboard/", f"?from={first}&to={last}")
    other = router_request(client, "/dashboard/", "?from=2026-03-01&to=2026-03-31")

    assert response.status_code == other.status_code == 200
    assert "Last 30 days (current)" in page_json(response).replace('", {"props": {"children": "', "")
    assert "(current)" not in page_json(other)

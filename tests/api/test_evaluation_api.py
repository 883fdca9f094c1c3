"""The evaluation endpoints: supervisors only, known answers through HTTP, per-field 422s."""


import pytest

from tests.factories import call_payload
from tests.services.evaluation.conftest import RULES, evaluation_unit, funnel_calls  # noqa: F401 (fixtures)

PERIOD = "from=2026-03-01&to=2026-03-31"
ROUTES = ["eligibility", "eligibility/gaps", "eligibility/calls?stage=in_scope&", "comparison", "savings", "handoff"]


def _url(route):
    joiner = "" if route.endswith("&") else "?"
    return f"/api/v1/metrics/{route}{joiner}{PERIOD}"


def test_funnel_answers_the_hand_counted_stages(api, evaluation_unit, funnel_calls):
    body = api(evaluation_unit[2]["supervisor"]).get(_url("eligibility")).json

    assert [s["count"] for s in body["stages"]] == [6, 3, 2, 1]
    assert {r["reason"]: r["count"] for r in body["reasons"]}["outside_hours"] == 1


def test_drill_down_lists_a_reasons_calls(api, evaluation_unit, funnel_calls):
    response = api(evaluation_unit[2]["supervisor"]).get(_url("eligibility/calls?stage=not_taken&reason=no_unit_available&"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json["calls"]] == [str(funnel_calls["busy"].id)]


@pytest.mark.parametrize("route", [*ROUTES, "before-after"])
@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "admin"])
def test_other_roles_are_refused(api, evaluation_unit, route, role):
    url = "/api/v1/metrics/before-after" if route == "before-after" else _url(route)

    assert api(evaluation_unit[2][role]).get(url).status_code == 403


@pytest.mark.parametrize("route", ROUTES)
def test_supervisors_get_every_route(api, evaluation_unit, funnel_calls, route):
    assert api(evaluation_unit[2]["supervisor"]).get(_url(route)).status_code == 200


def test_anonymous_is_401(client):
    assert client.get(_url("eligibility")).status_code == 401


@pytest.mark.parametrize("url, field", [
    ("/api/v1/metrics/eligibility?from=2026-03-31&to=2026-03-01", "to"),
    ("/api/v1/metrics/eligibility/calls?stage=everything", "stage"),
    ("/api/v1/metrics/eligibility/calls?stage=not_taken&reason=bored", "reason"),
    ("/api/v1/metrics/before-after?days=2", "days"),
    ("/api/v1/metrics/before-after?team_id=abc", "team_id"),
    ("/api/v1/metrics/comparison?colour=blue", "colour"),
])
def test_bad_query_is_422_with_a_message_for_the_field(api, evaluation_unit, url, field):
    response = api(evaluation_unit[2]["supervisor"]).get(url)

    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


@pytest.mark.parametrize("eligibility, field", [
    ({**RULES, "natures": ["mh_crisis", "dragons"]}, "eligibility.natures"),
    ({**RULES, "exclude_risk_flags": ["weapon_laser"]}, "eligibility.exclude_risk_flags"),
    ({**RULES, "service_hours": {"0": [[20, 8]]}}, "eligibility.service_hours"),
    ({"natures": [], "call_types": []}, "eligibility.natures"),
])
def test_bad_eligibility_rules_are_422_per_field(api, evaluation_unit, eligibility, field):
    response = api(evaluation_unit[2]["admin"]).patch("/api/v1/admin/settings", json={"eligibility": eligibility})

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_admin_sets_unit_costs_and_a_program_start(api, evaluation_unit):
    agency, team, people = evaluation_unit
    admin = api(people["admin"])

    costs = admin.patch("/api/v1/admin/settings", json={"unit_costs": {"ed_visit": {"amount": 1500, "source": "HCUP 2023"}}})
    started = admin.patch(f"/api/v1/admin/teams/{team.id}", json={"program_start_date": "2025-07-01"})

    assert costs.json["unit_costs"] == {"ed_visit": {"amount": 1500.0, "source": "HCUP 2023"}}
    assert started.status_code == 200 and started.json["program_start_date"] == "2025-07-01"


def test_a_call_records_who_responded_and_the_handoff(api, evaluation_unit):
    people = evaluation_unit[2]
    arrived = "2026-03-10T15:30:00+00:00"
    body = call_payload(responder_type="officer_only_cit", handoff_facility="Mercy ED", arrived_at_facility=arrived,
                        released_at="2026-03-10T16:15:00+00:00", disposition="voluntary_transport_ed")

    created = api(people["officer"]).post("/api/v1/calls", json=body)

    assert created.status_code == 201, created.json
    assert (created.json["responder_type"], created.json["handoff_facility"]) == ("officer_only_cit", "Mercy ED")


def test_a_release_before_the_arrival_is_422_on_both_fields(api, evaluation_unit):
    body = call_payload(arrived_at_facility="2026-03-10T16:00:00+00:00", released_at="2026-03-10T15:00:00+00:00")

    response = api(evaluation_unit[2]["officer"]).post("/api/v1/calls", json=body)

    assert response.status_code == 422
    assert {"arrived_at_facility", "released_at"} <= set(response.json["errors"]["json"])


def test_a_patrol_only_call_has_no_team(api, evaluation_unit):
    body = call_payload(responder_type="patrol_only", not_taken_reason="no_unit_available", followup_required=False)

    created = api(evaluation_unit[2]["supervisor"]).post("/api/v1/calls", json=body)

    assert created.status_code == 201, created.json
    assert created.json["team_id"] is None and created.json["not_taken_reason"] == "no_unit_available"

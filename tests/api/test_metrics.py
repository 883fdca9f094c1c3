"""The metrics API: the summary and its siblings, roles, scoping, validation, partner tables and CSV."""

from datetime import timedelta

import pytest

from mhu.services import metrics
from tests.factories import add_call, add_person, utc

PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def people(make):
    agency, team, people = make.unit()
    return agency, team, people


def test_summary_returns_every_metric_as_the_service_computes_it(api, outcomes, make):
    supervisor = make.user("supervisor", make_agency(outcomes))

    response = api(supervisor).get(f"/api/v1/metrics/summary?{PERIOD}")

    assert response.status_code == 200
    assert response.json == _json(metrics.summary(filters=outcomes))
    assert response.json["arrest_rate"] == {"numerator": 1, "denominator": 6, "value": pytest.approx(1 / 6)}
    assert response.json["call_volume"] == 7


def test_summary_of_empty_period_has_null_values(api, people):
    _, _, users = people

    body = api(users["supervisor"]).get(f"/api/v1/metrics/summary?{PERIOD}").json

    assert body["call_volume"] == 0
    assert body["arrest_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert body["response_time"] == {"median_seconds": None, "p90_seconds": None}


def test_summary_filters_by_district_source_and_intercept(api, people):
    _, _, users = people
    add_call(users["officer"], utc(2026, 3, 10, 15), district="North", call_source="911")
    add_call(users["officer"], utc(2026, 3, 10, 15), district="South", call_source="school", sim_intercept=3)
    client = api(users["supervisor"])

    assert client.get(f"/api/v1/metrics/summary?{PERIOD}&district=North").json["call_volume"] == 1
    assert client.get(f"/api/v1/metrics/summary?{PERIOD}&call_source=school").json["call_volume"] == 1
    assert client.get(f"/api/v1/metrics/summary?{PERIOD}&sim_intercept=3").json["call_volume"] == 1


def test_officer_summary_is_scoped_to_own_teams(api, make, people):
    agency, team, users = people
    other = make.team(agency)
    add_call(users["supervisor"], utc(2026, 3, 10, 15), team_id=other.id)
    add_call(users["officer"], utc(2026, 3, 10, 15))

    assert api(users["officer"]).get(f"/api/v1/metrics/summary?{PERIOD}").json["call_volume"] == 1
    assert api(users["officer"]).get(f"/api/v1/metrics/summary?{PERIOD}&team_id={other.id}").json["call_volume"] == 0
    assert api(users["supervisor"]).get(f"/api/v1/metrics/summary?{PERIOD}").json["call_volume"] == 2


@pytest.mark.parametrize("query, field", [
    ("from=2026-13-01&to=2026-03-31", "from"),
    ("from=2026-03-01&to=yesterday", "to"),
    ("from=2026-03-31&to=2026-03-01", "to"),
    (f"{PERIOD}&sim_intercept=9", "sim_intercept"),
    (f"{PERIOD}&call_source=pager", "call_source"),
    (f"{PERIOD}&team_id=abc", "team_id"),
    (f"{PERIOD}&colour=blue", "colour"),
])
def test_bad_query_is_422_with_a_message_for_the_field(api, people, query, field):
    _, _, users = people

    response = api(users["supervisor"]).get(f"/api/v1/metrics/summary?{query}")

    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_summary_defaults_to_the_last_twelve_months(api, people):
    _, _, users = people

    assert api(users["supervisor"]).get("/api/v1/metrics/summary").status_code == 200


@pytest.mark.parametrize("role, status", [("admin", 403), ("partner", 403)])
def test_roles_without_identified_dashboards_are_refused(api, people, role, status):
    _, _, users = people

    response = api(users[role]).get(f"/api/v1/metrics/summary?{PERIOD}")

    assert response.status_code == status
    assert "call_volume" not in response.json


def test_anonymous_metrics_request_is_401(client):
    assert client.get(f"/api/v1/metrics/summary?{PERIOD}").status_code == 401
    assert client.get(f"/api/v1/partner/metrics/calls_by_district?{PERIOD}").status_code == 401


def test_series_breakdowns_flow_and_durations_answer(api, outcomes, make):
    client = api(make.user("supervisor", make_agency(outcomes)))

    series = client.get(f"/api/v1/metrics/series?{PERIOD}&interval=week").json
    disposition = client.get(f"/api/v1/metrics/breakdowns/disposition?{PERIOD}").json
    transfers = client.get(f"/api/v1/metrics/breakdowns/transfers?{PERIOD}").json
    heat = client.get(f"/api/v1/metrics/hour-weekday?{PERIOD}").json
    flow = client.get(f"/api/v1/metrics/flow?{PERIOD}").json
    durations = client.get(f"/api/v1/metrics/durations?{PERIOD}&measure=on_scene").json
    quality = client.get(f"/api/v1/metrics/data-quality?{PERIOD}").json
    followups = client.get(f"/api/v1/metrics/followups?{PERIOD}").json

    assert sum(row["call_volume"] for row in series) == 7
    assert sum(row["count"] for row in disposition) == 7
    assert {row["key"] for row in transfers} == {"in:988", "out:ems"}
    assert sum(cell["count"] for cell in heat) == 7
    assert sum(link["count"] for link in flow) == 7
    assert durations["median_seconds"] == 2640.0
    assert durations["bins"] == [{"from_minutes": 40, "to_minutes": 45, "count": 7}]
    assert quality["missing_disposition"] == 1
    assert followups["timeliness"] == {"numerator": 0, "denominator": 0, "value": None}
    assert client.get(f"/api/v1/metrics/breakdowns/shoe_size?{PERIOD}").status_code == 404


def test_high_utilizer_list_is_identified_for_field_roles_only(api, people):
    agency, _, users = people
    person = add_person(users["officer"], "Hi Util")
    for day in (1, 5, 9, 13):
        add_call(users["officer"], utc(2026, 3, day, 15), person_id=person.id)

    listed = api(users["supervisor"]).get(f"/api/v1/metrics/high-utilizers?{PERIOD}")
    refused = api(users["partner"]).get(f"/api/v1/metrics/high-utilizers?{PERIOD}")

    assert listed.status_code == 200
    assert listed.json == [{"person_id": str(person.id), "name": "Hi Util", "contacts": 4,
                            "last_contact_at": "2026-03-13T15:00:00+00:00"}]
    assert refused.status_code == 403


def test_partner_reads_suppressed_tables_as_json_and_csv(api, people):
    agency, _, users = people
    agency.districts = [{"name": "North", "beats": []}, {"name": "South", "beats": []}]
    for i in range(14):
        add_call(users["officer"], utc(2026, 3, 2, 15) + timedelta(hours=i), district="North")
    for i in range(2):
        add_call(users["officer"], utc(2026, 3, 3, 15) + timedelta(hours=i), district="South")
    client = api(users["partner"])

    table = client.get(f"/api/v1/partner/metrics/calls_by_district?{PERIOD}")
    csv = client.get(f"/api/v1/partner/metrics/calls_by_district.csv?{PERIOD}")
    outcomes_table = client.get(f"/api/v1/partner/metrics/outcomes?{PERIOD}")

    assert table.status_code == 200
    march = table.json["rows"][0]
    assert march["period"] == "2026-03" and march["South"] is None and march["North"] is None
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = [line for line in csv.get_data(as_text=True).splitlines() if not line.startswith("# ")]
    assert lines[0] == ",".join(table.json["columns"])  # the same keys as the JSON
    assert lines[1].startswith("2026-03,suppressed,suppressed,")
    assert outcomes_table.status_code == 200
    assert all(
        value is None or isinstance(value, float) or value == 0 or value >= 11
        for row in outcomes_table.json["rows"] for key, value in row.items() if key != "period"
    )


@pytest.mark.parametrize("period", [
    "from=2026-03-05&to=2026-04-02", "from=2026-02-01&to=2026-04-30", "from=2026-03-01&to=2026-03-30",
    "from=2025-12-01&to=2026-01-31", "from=2026-01-01", "to=2026-01-31", "from=2025-12-01&to=2026-12-31",
])
def test_partner_tables_answer_only_whole_months_quarters_and_years(api, people, period):
    _, _, users = people
    response = api(users["partner"]).get(f"/api/v1/partner/metrics/calls_by_district?{period}")
    assert response.status_code == 422
    assert response.json["errors"]


@pytest.mark.parametrize("period, rows", [
    ("from=2026-03-01&to=2026-03-31", ["2026-03"]),
    ("from=2026-04-01&to=2026-06-30", ["2026-04", "2026-05", "2026-06", "2026-Q2"]),
    ("from=2026-01-01&to=2026-12-31", [*(f"2026-{m:02d}" for m in range(1, 13)), "2026-Q1", "2026-Q2", "2026-Q3",
                                       "2026-Q4", "2026"]),
])
def test_partner_periods_are_the_grids_months_quarters_and_year(api, people, period, rows):
    _, _, users = people
    table = api(users["partner"]).get(f"/api/v1/partner/metrics/calls_by_district?{period}").json
    assert [row["period"] for row in table["rows"]] == rows


def test_admin_is_refused_partner_tables(api, people):
    _, _, users = people

    assert api(users["admin"]).get(f"/api/v1/partner/metrics/outcomes?{PERIOD}").status_code == 403
    assert api(users["officer"]).get(f"/api/v1/partner/metrics/outcomes?{PERIOD}").status_code == 200


def test_unknown_partner_table_is_404(api, people):
    _, _, users = people

    assert api(users["partner"]).get(f"/api/v1/partner/metrics/persons?{PERIOD}").status_code == 404


def test_metrics_paths_are_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json

    assert "/api/v1/metrics/summary" in spec["paths"]
    assert "/api/v1/partner/metrics/{table}.csv" in spec["paths"]
    assert "MetricsSummary" in spec["components"]["schemas"]


def make_agency(filters):
    from mhu.extensions import db
    from mhu.models import Agency

    return db.session.get(Agency, filters.agency_id)


def _json(value):
    import json

    from flask import current_app

    return json.loads(current_app.json.dumps(value))


def test_partner_outcome_rates_carry_the_summary_keys_titles_and_values(api, people):
    _, _, users = people
    for n, disposition in ((30, "resolved_on_scene"), (12, "arrest"), (11, "voluntary_transport_ed")):
        for i in range(n):
            add_call(users["officer"], utc(2026, 3, 2, 15) + timedelta(minutes=i), disposition=disposition)
    summary = api(users["supervisor"]).get(f"/api/v1/metrics/summary?{PERIOD}").json

    table = api(users["partner"]).get(f"/api/v1/partner/metrics/outcomes?{PERIOD}").json

    total = table["rows"][0]  # March, the whole period asked for
    for key in ("jail_diversion_rate", "resolved_in_community", "ed_use"):
        assert total[key] == pytest.approx(summary[key]["value"]), key
        assert table["titles"][key] == metrics.metric(key).title
    counts = [column for column in table["columns"] if column.startswith("calls_")]
    assert total["calls_resolved_in_community"] == 30 and len(counts) == 5
    assert not set(counts) & {"jail_diversion_rate", "resolved_in_community", "ed_use"}


def test_partner_csv_escapes_text_a_spreadsheet_would_run(api, people):
    agency, _, users = people
    agency.districts = [{"name": "=SUM(1+2)", "beats": []}]
    for i in range(12):
        add_call(users["officer"], utc(2026, 3, 2, 15) + timedelta(hours=i), district="=SUM(1+2)")
    body = api(users["partner"]).get(f"/api/v1/partner/metrics/calls_by_district.csv?{PERIOD}").get_data(as_text=True)
    assert [line for line in body.splitlines() if not line.startswith("# ")][0] == "period,'=SUM(1+2),other,total"

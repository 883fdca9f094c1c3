"""Partner tables: the default period (the last twelve whole months) and the CSV header block."""

import csv
import io
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from mhu.services.localtime import agency_today
from tests.factories import add_call, utc


def test_without_a_period_partners_get_the_last_twelve_whole_months(api, make):
    agency, _, people = make.unit()
    this_month = agency_today(agency.id).replace(day=1)

    response = api(people["partner"]).get("/api/v1/partner/metrics/outcomes")

    assert response.status_code == 200
    months = [f"{this_month - relativedelta(months=n):%Y-%m}" for n in range(12, 0, -1)]
    assert [row["period"] for row in response.json["rows"]] == months  # the partial month left out
    assert response.json["from"] == f"{this_month - relativedelta(months=12):%Y-%m-%d}"
    assert response.json["to"] == f"{this_month - timedelta(days=1):%Y-%m-%d}"


def test_twelve_whole_months_across_a_new_year_are_the_months_of_two_grids(api, make):
    _, _, people = make.unit()
    for i in range(12):
        add_call(people["officer"], utc(2025, 12, 3, 15) + timedelta(hours=i))
    client = api(people["partner"])

    rolling = client.get("/api/v1/partner/metrics/calls_by_district?from=2025-12-01&to=2026-11-30").json
    december = client.get("/api/v1/partner/metrics/calls_by_district?from=2025-12-01&to=2025-12-31").json

    assert [row["period"] for row in rolling["rows"]][:2] == ["2025-12", "2026-01"]
    assert len(rolling["rows"]) == 12 and rolling["rows"][0] == december["rows"][0]
    assert rolling["rows"][0]["total"] == 12


def test_csv_starts_with_a_header_block_then_the_api_keys(api, make):
    agency, _, people = make.unit()
    for i in range(12):
        add_call(people["officer"], utc(2026, 3, 3, 15) + timedelta(hours=i))
    client = api(people["partner"])
    table = client.get("/api/v1/partner/metrics/outcomes?from=2026-01-01&to=2026-03-31").json

    body = client.get("/api/v1/partner/metrics/outcomes.csv?from=2026-01-01&to=2026-03-31").get_data(as_text=True)

    header = dict(line[2:].split(": ", 1) for line in body.splitlines() if line.startswith("# "))
    assert header["agency"] == agency.name and header["period"] == "2026-01-01 to 2026-03-31"
    assert header["generated_at"].endswith(" UTC") and header["threshold"] == "11"
    assert "Counts above zero and below 11 are hidden" in header["suppression"]
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in body.splitlines() if not line.startswith("#")))))
    assert list(rows[0]) == table["columns"] and [row["period"] for row in rows] == [r["period"] for r in table["rows"]]
    assert rows[2]["total"] == "12" and rows[2]["calls_resolved_in_community"] == "12"


def test_the_threshold_in_the_header_follows_the_agency_setting(api, make):
    agency, _, people = make.unit()
    agency.suppression_threshold = 5

    body = api(people["partner"]).get("/api/v1/partner/metrics/outcomes.csv").get_data(as_text=True)

    assert "# threshold: 5" in body and "Counts above zero and below 5 are hidden (shown as <5)" in body


def test_partner_demographics_default_to_the_last_twelve_whole_months_too(api, make):
    agency, _, people = make.unit()
    this_month = agency_today(agency.id).replace(day=1)

    response = api(people["partner"]).get("/api/v1/partner/metrics/demographics")

    assert response.status_code == 200
    rows = response.json["tables"]["sex"]["rows"]
    assert [row["period"] for row in rows] == [f"{this_month - relativedelta(months=n):%Y-%m}" for n in range(12, 0, -1)]

"""The reports API: the command report as HTML and PDF, the JMHCP CSV, who may read them."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.reports import render_pdf
from mhu.services.reports import command_report, parse_period
from mhu.services.reports.formatting import minutes, percent
from tests.factories import add_call, add_followup, add_person, outcome_calls, utc

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
RATES = ("arrest_rate", "jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
         "emergency_detention_rate", "connection_to_services", "use_of_force_rate", "injury_rate", "cit_presence",
         "call_type_reclassified", "repeat_contact_rate", "repeat_call_share", "followup_timeliness")


@pytest.fixture
def march(unit, make):
    """The hand-counted March 2026 calls, a repeat visitor, a follow-up, and a call a year before."""
    agency, _, officer = unit
    outcome_calls(officer)
    person = add_person(officer)
    for day in (2, 12, 22):
        call = add_call(officer, utc(2026, 3, day, 15), person_id=person.id, disposition="resolved_on_scene")
    add_followup(officer, call)
    add_call(officer, utc(2025, 3, 4, 15), disposition="arrest")
    return agency, make.user("supervisor", agency)


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_carries_the_numbers_of_the_summary_api(api, march):
    agency, supervisor = march
    summary = api(supervisor).get("/api/v1/metrics/summary?from=2026-03-01&to=2026-03-31").json
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "command-report-first-page.png"

    body = render_pdf(command_report(agency_id=agency.id, period=parse_period("2026-03")), screenshot=str(shot))

    text = pdf_text(body)
    assert f"{summary['call_volume']:,} crisis calls in March 2026" in text
    for key in RATES:
        rate = summary[key]
        assert f"{rate['numerator']:,} / {rate['denominator']:,}" in text, key
        assert percent(rate["value"]) in text, key
    assert minutes(summary["response_time"]["median_seconds"]) in text
    assert f"High utilizers (count only) {summary['high_utilizers']}" in text
    assert "Page 1 of" in text and agency.name in text
    assert shot.stat().st_size > 10_000


def test_supervisor_gets_the_report_as_pdf_on_letter_paper(api, march):
    _, supervisor = march

    response = api(supervisor).get("/api/v1/reports/command?period=2026-03&format=pdf&paper=letter")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    first = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (612, 792)


def test_accept_header_chooses_pdf(api, march):
    _, supervisor = march

    response = api(supervisor).get("/api/v1/reports/command?period=2026-03", headers={"Accept": "application/pdf"})

    assert response.mimetype == "application/pdf"


def test_html_report_has_charts_tables_and_definitions_and_is_audited(api, march):
    _, supervisor = march

    response = api(supervisor).get("/api/v1/reports/command?period=2026-Q1")

    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.count("<svg") >= 4 and "Calls per month (last 13 months)" in html
    assert "Q1 2026 (Jan–Mar)" in html and "Definitions" in html and "Pat" not in html
    assert 'rel="stylesheet" href="/static/css/report.css"' in html  # no inline style: the CSP holds
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reports.command.read"))
    assert (event.user_id, event.object_id) == (supervisor.id, "2026-Q1")


@pytest.mark.parametrize("period", ["2026-13", "2026-Q7", "soon"])
def test_bad_period_is_422_with_a_message(api, march, period):
    _, supervisor = march

    response = api(supervisor).get(f"/api/v1/reports/command?period={period}")

    assert response.status_code == 422
    assert "a quarter (2026-Q3)" in response.json["errors"]["query"]["period"][0]


@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "admin"])
def test_only_supervisors_read_reports(api, make, role):
    agency = make.agency()
    user = make.user(role, agency)

    assert api(user).get("/api/v1/reports/command?period=2026-03").status_code == 403
    assert api(user).get("/api/v1/reports/jmhcp?fiscal_year=2027&quarter=1").status_code == 403


def test_anonymous_is_401(client):
    assert client.get("/api/v1/reports/command?period=2026-03").status_code == 401


def test_jmhcp_csv_for_a_federal_quarter(api, unit, make):
    agency, _, officer = unit
    supervisor = make.user("supervisor", agency)
    add_call(officer, utc(2026, 10, 20, 15), disposition="arrest")

    response = api(supervisor).get("/api/v1/reports/jmhcp?fiscal_year=2027&quarter=1")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "fiscal_year,federal_quarter,period_start,period_end,measure,category,value,denominator,mhu_metric"
    assert "2027,1,2026-10-01,2026-12-31,encounters,all,1,,call_volume" in lines


def test_jmhcp_rejects_a_quarter_that_does_not_exist(api, unit, make):
    supervisor = make.user("supervisor", unit[0])

    response = api(supervisor).get("/api/v1/reports/jmhcp?fiscal_year=2027&quarter=5")

    assert response.status_code == 422 and "quarter" in response.json["errors"]["query"]

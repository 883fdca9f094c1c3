"""The Reports page: supervisors see links to both reports and the grant CSV, partners the partner
report only; no one else opens it."""

import json
from datetime import date

import pytest

from mhu.services.reports.periods import recent_federal_quarters, recent_periods
from tests.dashboards.test_guard import router_request
from tests.factories import login


def test_supervisor_sees_report_links_for_recent_periods(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/reports")

    response = router_request(client, "/dashboard/reports")

    text = json.dumps(response.json)
    assert response.status_code == 200
    assert "/api/v1/reports/command?period=" in text and "format=pdf&paper=letter" in text
    assert "/api/v1/reports/jmhcp?fiscal_year=" in text


@pytest.mark.parametrize("role", ["officer", "clinician"])
def test_other_dashboard_roles_are_refused_the_reports_page(client, make, role):
    _, _, people = make.unit()
    login(client, people[role])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/reports")

    assert response.status_code == 403 and b"/api/v1/reports" not in response.data


def test_reports_is_in_the_supervisors_navigation_only(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/reports")
    supervisor_layout = json.dumps(client.get("/dashboard/_dash-layout").json)
    officer = app_client_as(client, people["officer"])
    officer_layout = json.dumps(officer.get("/dashboard/_dash-layout").json)

    assert '"href": "/dashboard/reports"' in supervisor_layout
    assert "/dashboard/reports" not in officer_layout and "/dashboard/outcomes" in officer_layout


def app_client_as(client, user):
    other = client.application.test_client()
    login(other, user)
    other.get("/dashboard/")
    return other


def test_recent_periods_are_whole_and_finished():
    periods = [period.key for period in recent_periods(date(2026, 12, 3))]

    assert periods == ["2026-11", "2026-10", "2026-09", "2026-Q3", "2026-Q2", "2025"]
    assert [q[:2] for q in recent_federal_quarters(date(2026, 12, 3))] == [(2026, 4), (2026, 3)]
    assert [q[:2] for q in recent_federal_quarters(date(2027, 2, 1))] == [(2027, 1), (2026, 4)]


def test_partner_sees_only_the_partner_report_on_the_reports_page(client, make):
    _, _, people = make.unit()
    login(client, people["partner"])
    client.get("/dashboard/reports")

    response = router_request(client, "/dashboard/reports")

    text = json.dumps(response.json)
    assert response.status_code == 200
    assert "/api/v1/reports/partner?period=" in text and "format=pdf&paper=letter" in text
    assert "/api/v1/reports/command" not in text and "/api/v1/reports/jmhcp" not in text


def test_supervisor_sees_both_reports(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/reports")

    text = json.dumps(router_request(client, "/dashboard/reports").json)

    assert "/api/v1/reports/partner?period=" in text and "/api/v1/reports/command?period=" in text


def test_reports_is_in_the_partners_navigation_beside_the_partner_view(client, make):
    _, _, people = make.unit()
    partner = app_client_as(client, people["partner"])

    layout = json.dumps(partner.get("/dashboard/_dash-layout").json)
    page = partner.get("/dashboard/reports")

    assert '"href": "/dashboard/reports"' in layout and '"href": "/dashboard/partner"' in layout
    assert "/dashboard/outcomes" not in layout
    assert page.status_code == 200  # not redirected to the partner view

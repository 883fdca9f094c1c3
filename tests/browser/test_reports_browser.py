"""The Reports page and the command report in Chromium: links that open the report, a form for
any period, the report readable and accessible (axe-core), no console errors under the CSP."""

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, screenshot
from tests.factories import PASSWORD, outcome_calls

pytestmark = pytest.mark.browser


def test_supervisor_opens_a_report_from_the_reports_page(live_server, page, make, console_errors):
    agency, _, people = make.unit()
    outcome_calls(people["officer"])
    browser_login(page, live_server, people["supervisor"], PASSWORD)

    page.goto(f"{live_server}/dashboard/reports")
    page.wait_for_selector("#report-period")
    assert page.get_by_role("link", name="Reports").count() >= 1
    assert_accessible(page, "the Reports page")
    screenshot(page, "reports-page")

    page.goto(f"{live_server}/api/v1/reports/command?period=2026-03&format=html")
    assert page.get_by_role("heading", name=f"{agency.name}: crisis response, March 2026").is_visible()
    assert page.locator("figure svg").count() >= 4
    assert page.locator("#kpi-call_volume td").first.text_content().strip() == "7"
    assert_accessible(page, "the command report (HTML)")
    assert console_errors == []


def test_the_period_form_opens_the_report_of_the_typed_period(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/reports")
    page.wait_for_selector("#report-period")

    page.fill("#report-period", "2026-Q1")
    page.select_option("#report-format", "html")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open report").click()
    report = opened.value
    report.wait_for_load_state()

    assert "period=2026-Q1" in report.url
    assert report.get_by_role("heading", name="Headlines").is_visible()

"""The Evaluation page in Chromium: charts drawn, the hand-counted funnel in its table, the caveat,
the savings arithmetic, a drill-down list, no serious accessibility violation, a screenshot."""

from datetime import timedelta

import pytest

from mhu.services import agency_settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, screenshot
from tests.browser.test_dashboard_browser import wait_for_charts
from tests.factories import PASSWORD, add_call
from tests.services.evaluation.conftest import TUESDAY_10, evaluation_unit, funnel_calls  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def evaluated(evaluation_unit, funnel_calls):
    agency, _, people = evaluation_unit
    arrived = TUESDAY_10 + timedelta(hours=1)
    for minutes in (35, 50, 95):
        add_call(people["officer"], TUESDAY_10, disposition="voluntary_transport_ed", handoff_facility="Mercy ED",
                 arrived_at_facility=arrived, released_at=arrived + timedelta(minutes=minutes))
    agency_settings.update_settings(actor=people["admin"], changes={"unit_costs": {
        "ed_visit": {"amount": 2200, "source": "State hospital association"}}})
    return people


def test_supervisor_reads_the_evaluation_page(live_server, page, evaluated, console_errors):
    browser_login(page, live_server, evaluated["supervisor"], PASSWORD)

    page.goto(f"{live_server}/dashboard/evaluation?{QUERY}")
    charts = wait_for_charts(page)

    assert charts >= 4
    assert page.locator(".dash-fe-error__title").count() == 0
    assert "not causal estimates" in page.locator(".caveat").text_content()
    assert page.locator("#eval-like-table tbody tr").count() == 5
    assert "State hospital association" in page.locator("#eval-costs-table").text_content()
    assert "ED visits" in page.locator("#eval-savings-lines").text_content()
    assert page.get_by_role("link", name="Evaluation").count() >= 1
    screenshot(page, "dashboard-evaluation")
    assert_accessible(page, "the Evaluation page")

    page.get_by_role("link", name="Outside hours (1)").click()
    page.wait_for_selector("#eval-drill-table")
    assert page.locator("#eval-drill-table tbody tr").count() == 1
    assert_accessible(page, "the Evaluation drill-down")
    assert console_errors == []


def test_officers_have_no_evaluation_link(live_server, page, evaluated):
    browser_login(page, live_server, evaluated["officer"], PASSWORD)

    page.goto(f"{live_server}/dashboard/?{QUERY}")
    page.wait_for_selector("#_pages_content .filter-bar")

    assert page.get_by_role("link", name="Evaluation").count() == 0

"""The partner view and the partner report in Chromium: percentages, "<11" cells with the rule as a
tooltip, suppressed months as marked gaps, the month / quarter switch, the report's first page;
each page accessible (axe-core) with no console errors."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mhu.extensions import db
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS, browser_login, screenshot
from tests.browser.test_dashboard_browser import wait_for_charts
from tests.factories import PASSWORD, add_call, utc

pytestmark = pytest.mark.browser

DISPOSITIONS = ("resolved_on_scene", "resolved_on_scene", "resolved_with_referral", "voluntary_transport_ed",
                "arrest", "emergency_detention", "resolved_on_scene", "unable_to_locate")


@pytest.fixture
def spring(make):
    """Two districts, January to June 2026: busy months, and April and May with a few calls each."""
    agency, _, people = make.unit()
    agency.districts = [{"name": "North", "beats": []}, {"name": "South", "beats": []}]
    db.session.commit()
    for month, north, south in ((1, 40, 30), (2, 36, 33), (3, 45, 38), (4, 3, 4), (5, 5, 2), (6, 41, 35)):
        for i in range(north + south):
            add_call(people["officer"], utc(2026, month, 2, 14) + timedelta(minutes=5 * i),
                     district="North" if i < north else "South", disposition=DISPOSITIONS[i % len(DISPOSITIONS)])
    return agency, people


def test_partner_view_shows_percentages_suppressed_cells_and_gaps(live_server, page, spring, console_errors):
    _, people = spring
    browser_login(page, live_server, people["partner"], PASSWORD)

    page.goto(f"{live_server}/dashboard/partner?from=2026-04-01&to=2026-06-30")
    wait_for_charts(page)

    suppressed = page.locator("#partner-calls_by_district td.suppressed").first
    assert suppressed.inner_text() == "<11"
    assert suppressed.get_attribute("title").startswith("Suppressed. Counts above zero and below 11")
    assert page.locator("#partner-suppression-footnote").inner_text().startswith("<11: suppressed.")
    rates = page.locator("#partner-outcomes td.num").all_inner_texts()
    assert any(text.endswith(" %") for text in rates) and not [t for t in rates if t.startswith("0.") and "%" not in t]
    gap_labels = page.locator("#partner-monthly .scatterlayer text").all_text_contents()
    assert "<11" in gap_labels  # the cross over April and May says why there is no bar
    assert "a gap, not zero" in " ".join(page.locator("#partner-monthly .legend text").all_text_contents())
    screenshot(page, "partner-view-months")
    assert_accessible(page, "the partner view")

    page.get_by_role("link", name="By quarter").click()
    page.wait_for_url("**granularity=quarter**")
    expect(page.locator("#partner-calls_by_district tbody th")).to_have_text(["2026-Q2"])
    wait_for_charts(page)
    screenshot(page, "partner-view-quarters")
    assert_accessible(page, "the partner view by quarter")
    assert console_errors == []


def test_partner_opens_the_partner_report_from_the_reports_page(live_server, page, spring, console_errors):
    agency, people = spring
    browser_login(page, live_server, people["partner"], PASSWORD)

    page.goto(f"{live_server}/dashboard/reports")
    page.wait_for_selector("#partner-report-period")
    assert page.locator("#report-period").count() == 0  # no command report form for partners
    assert_accessible(page, "the Reports page (partner)")
    screenshot(page, "reports-page-partner")

    page.goto(f"{live_server}/api/v1/reports/partner?period=2026-Q2&format=html")
    assert page.get_by_role("heading", name=f"{agency.name}: crisis response, Q2 2026 (Apr–Jun)").is_visible()
    assert page.locator("figure svg").count() == 2
    assert page.locator("td.suppressed[data-cell]").first.inner_text() == "<11"
    assert_accessible(page, "the partner report (HTML)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi: the first printed page
    page.screenshot(path=str(ARTIFACTS / "partner-report-first-page.png"))
    assert console_errors == []

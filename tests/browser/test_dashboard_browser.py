"""The dashboard in Chromium: every page renders real charts, KPIs equal the services, filters
update charts and the URL, partners see only the suppressed view and can download it."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboards.components import format_count, format_rate, format_seconds
from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.services import metrics
from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, screenshot
from tests.factories import PASSWORD, add_call, add_person, utc

pytestmark = pytest.mark.browser

QUERY = "from=2026-01-01&to=2026-03-31"
PAGES = [("overview", "/dashboard/"), ("outcomes", "/dashboard/outcomes"), ("repeat", "/dashboard/repeat"),
         ("followups", "/dashboard/followups"), ("operations", "/dashboard/operations"),
         ("quality", "/dashboard/quality")]
DISPOSITIONS = ["resolved_on_scene", "resolved_with_referral", "arrest", "voluntary_transport_ed",
                "emergency_detention", "unable_to_locate", "handoff_mobile_crisis"]


@pytest.fixture
def unit(make):
    """Thirty calls over January to March 2026 in two districts, with persons, referrals and follow-ups."""
    agency, team, people = make.unit()
    officer = people["officer"]
    persons = [add_person(officer, f"Pat Person{n}") for n in range(4)]
    for i in range(30):
        when = utc(2026, 1, 3, 15) + timedelta(days=3 * i, hours=i % 9)
        disposition = DISPOSITIONS[i % len(DISPOSITIONS)]
        # A referral disposition comes with its referral (the calls service asks for one).
        referrals = [{"referral_type": "peer_support"}] if i % 4 == 1 or disposition == "resolved_with_referral" else []
        add_call(
            officer, when, disposition=disposition, referrals=referrals,
            district="North" if i % 3 else "South", arrestable_offense="misdemeanor" if i % 4 == 0 else "none",
            person_id=persons[i % 4].id if i % 5 else None, cit_officer_on_scene=bool(i % 2),
            force_level="physical_control" if i % 10 == 0 else "none", followup_required=i % 6 == 0,
            legal_hold_type="5150" if disposition == "emergency_detention" else None,
            arrived_at=when + timedelta(minutes=8 + i), cleared_at=when + timedelta(minutes=50 + 2 * i),
        )
    return agency, people


def wait_for_charts(page) -> int:
    """Wait until every graph slot of the page holds a drawn plotly SVG and no callback is still
    answering (a late one re-renders the page, and a click in that moment lands on a removed
    node: seen once in CI); return how many graphs there are."""
    page.wait_for_selector("#_pages_content .filter-bar")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#_pages_content .graph-slot')]"
        ".every(slot => slot.querySelector('.js-plotly-plot .main-svg'))",
        timeout=30_000,
    )
    page.wait_for_load_state("networkidle")
    return page.locator("#_pages_content .graph-slot .js-plotly-plot").count()


def test_supervisor_sees_every_page_with_rendered_charts(live_server, page, unit, console_errors):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)

    for name, path in PAGES:
        page.goto(f"{live_server}{path}?{QUERY}")
        count = wait_for_charts(page)
        assert count >= 1, name
        assert page.locator(".dash-fe-error__title").count() == 0
        if name == "repeat":
            assert page.locator("#high-utilizer-list").count() == 1  # supervisors may identify people
        screenshot(page, f"dashboard-{name}")
        assert_accessible(page, f"the {name} page")

    assert console_errors == []


def test_overview_kpis_equal_the_service_results(live_server, page, unit, console_errors):
    agency, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    filters = metrics.MetricFilters(agency_id=agency.id, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    expected = metrics.summary(filters=filters)
    # Known answers counted by hand from the fixture (7 dispositions in turn over 30 calls): 4 not
    # located leave C' = 26; 4 arrests; 4 ED transports + 4 detentions.
    assert expected["call_volume"] == 30
    assert (expected["jail_diversion_rate"]["numerator"], expected["jail_diversion_rate"]["denominator"]) == (22, 26)
    assert (expected["ed_use"]["numerator"], expected["ed_use"]["denominator"]) == (8, 26)

    page.goto(f"{live_server}/dashboard/?{QUERY}")
    wait_for_charts(page)

    assert page.locator("#kpi-call_volume").inner_text() == format_count(expected["call_volume"]) == "30"
    assert page.locator("#kpi-ed_use").inner_text() == format_rate(expected["ed_use"]) == "30.8%"
    for metric in ("jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
                   "emergency_detention_rate", "connection_to_services", "use_of_force_rate",
                   "repeat_contact_rate", "followup_timeliness"):
        assert page.locator(f"#kpi-{metric}").inner_text() == format_rate(expected[metric]), metric
        card = page.locator(f"#card-{metric}")
        assert card.get_attribute("data-numerator") == str(expected[metric]["numerator"]), metric
        assert card.get_attribute("data-denominator") == str(expected[metric]["denominator"]), metric
        assert card.get_attribute("title") == f"{expected[metric]['numerator']:,} of {expected[metric]['denominator']:,}"
    assert page.locator("#kpi-response_time").inner_text() == format_seconds(expected["response_time"]["median_seconds"])
    assert console_errors == []


def test_filter_change_updates_charts_and_url(live_server, page, unit, console_errors):
    agency, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    north = metrics.MetricFilters(agency_id=agency.id, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31),
                                  district="North")
    page.goto(f"{live_server}/dashboard/?{QUERY}")
    wait_for_charts(page)
    before = page.locator("#kpi-call_volume").inner_text()

    page.locator("#f-district").click()
    page.get_by_role("option", name="North").click()
    page.wait_for_url("**district=North**")
    page.wait_for_function(
        "expected => document.querySelector('#kpi-call_volume') && "
        "document.querySelector('#kpi-call_volume').innerText === expected",
        arg=format_count(metrics.call_volume(filters=north)),
    )
    wait_for_charts(page)

    assert "district=North" in page.url and "from=2026-01-01" in page.url
    assert page.locator("#kpi-call_volume").inner_text() != before
    assert page.locator("#kpi-ed_use").inner_text() == format_rate(metrics.ed_use(filters=north))
    page.get_by_role("link", name="Operations").click()
    page.wait_for_url("**/dashboard/operations?**district=North**")
    wait_for_charts(page)
    screenshot(page, "dashboard-operations-north")
    assert console_errors == []


def test_empty_period_shows_an_explanation_not_a_broken_chart(live_server, page, unit, console_errors):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)

    page.goto(f"{live_server}/dashboard/outcomes?from=2020-01-01&to=2020-01-31")
    page.wait_for_selector(".empty-notice")

    assert page.locator(".empty-notice").count() >= 1
    assert console_errors == []


def test_partner_sees_only_the_partner_view_and_downloads_csv(live_server, page, unit, console_errors):
    _, people = unit
    browser_login(page, live_server, people["partner"], PASSWORD)

    page.goto(f"{live_server}/dashboard/operations?{QUERY}")
    page.wait_for_url("**/dashboard/partner?**")
    wait_for_charts(page)
    nav_links = page.locator("nav .nav-link").all_inner_texts()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").first.click()
    content = download_info.value.path().read_text(encoding="utf-8")

    assert nav_links == ["Partner view", "Reports"]
    assert content.splitlines()[0].startswith("# agency: ")  # the header block, then the grid's rows
    assert [line for line in content.splitlines() if not line.startswith("# ")][0].startswith("period,")
    assert "suppressed" in content
    assert page.locator("#high-utilizer-list").count() == 0
    screenshot(page, "dashboard-partner")
    assert_accessible(page, "the partner view")
    assert console_errors == []


@pytest.mark.parametrize("role", ["officer", "clinician"])
def test_field_roles_see_their_own_teams_numbers(live_server, page, make, unit, role, console_errors):
    agency, people = unit
    other_team = make.team(agency)
    add_call(people["supervisor"], utc(2026, 2, 1, 15), team_id=other_team.id)
    mine = metrics.scoped_filters(actor=people[role], date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    browser_login(page, live_server, people[role], PASSWORD)

    page.goto(f"{live_server}/dashboard/?{QUERY}")
    wait_for_charts(page)

    assert page.locator("#kpi-call_volume").inner_text() == format_count(metrics.call_volume(filters=mine)) == "30"
    assert console_errors == []


def test_admin_gets_403_on_the_dashboard(live_server, page, unit):
    _, people = unit
    browser_login(page, live_server, people["admin"], PASSWORD)

    response = page.goto(f"{live_server}/dashboard/")

    assert response.status == 403
    assert page.locator(".js-plotly-plot").count() == 0


def test_keyboard_focus_is_visible_on_the_dark_nav_bar(live_server, page, unit):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/?{QUERY}")
    wait_for_charts(page)

    link = page.get_by_role("link", name="Outcomes", exact=True)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus arrives by keyboard, so :focus-visible applies
    outline = link.evaluate("e => [document.activeElement === e, getComputedStyle(e).outlineStyle, "
                            "getComputedStyle(e).outlineColor]")

    assert outline == [True, "solid", "rgb(255, 255, 255)"]


def test_every_chart_offers_its_plotted_numbers_as_csv(live_server, page, unit):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/operations?{QUERY}")
    charts = wait_for_charts(page)

    links = page.locator("#_pages_content .chart-csv")
    with page.expect_download() as download_info:
        page.locator("#csv-ops-district").click()
    content = download_info.value.path().read_text(encoding="utf-8")

    assert links.count() == charts
    assert download_info.value.suggested_filename == "mhu-ops-district.csv"
    assert content.splitlines()[0] == "District,Calls (count)"
    assert sorted(content.splitlines()[1:]) == ["North,20", "South,10"]  # 30 calls, every third in South


def test_bad_url_filter_is_announced_and_the_brand_link_keeps_filters(live_server, page, unit, console_errors):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)

    page.goto(f"{live_server}/dashboard/operations?{QUERY}&district=Nowhere&team_id=abc")
    page.wait_for_selector("#url-notes .alert")
    notes = page.locator("#url-notes").inner_text()
    page.wait_for_function("() => document.querySelector('#brand').getAttribute('href').includes('district=Nowhere')")

    assert "district=Nowhere matches nothing" in notes
    assert "team_id=abc is invalid" in notes
    assert "Nowhere (matches nothing)" in page.locator("#f-district").inner_text()
    screenshot(page, "dashboard-bad-url-notice")
    assert_accessible(page, "a page with URL notes")
    assert console_errors == []


def test_preset_link_sets_the_period_and_keeps_other_filters(live_server, page, unit, console_errors):
    _, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/outcomes?{QUERY}&district=North")
    wait_for_charts(page)

    page.locator("#preset-year_to_date").click()
    page.wait_for_url("**/dashboard/outcomes?from=*-01-01*district=North*")
    page.wait_for_selector("#preset-year_to_date.btn-dark")

    assert "district=North" in page.url
    assert page.locator("#preset-year_to_date").inner_text().startswith("Year to date")
    screenshot(page, "dashboard-presets")
    assert console_errors == []


def test_supervisor_drills_from_a_kpi_to_the_calls_and_opens_one(live_server, page, unit, console_errors):
    agency, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/?{QUERY}&district=North")
    wait_for_charts(page)
    expected = page.locator("#card-ed_use").get_attribute("data-numerator")

    # From the keyboard: a mouse click lands by coordinates, and on a loaded CI machine a chart
    # drawn late moved the link away from them twice.
    link = page.locator("#drill-ed_use")
    href = link.get_attribute("href")
    link.press("Enter")
    try:
        page.wait_for_url("**/dashboard/calls?**district=North**subset=ed_use**")
    except PlaywrightTimeoutError:
        raise AssertionError(f"the drill link {href!r} left the page at {page.url!r}") from None
    page.wait_for_selector("#drill-table")
    rows = page.locator("#drill-table tbody tr")

    assert rows.count() == int(expected) > 0
    assert set(page.locator("#drill-table tbody tr td:nth-child(3)").all_inner_texts()) == {"North"}
    screenshot(page, "dashboard-drilldown")
    assert_accessible(page, "the drill-down list")
    with page.context.expect_page() as opened:
        page.locator(".call-link").first.click()
    call_page = opened.value
    call_page.wait_for_load_state()
    assert "/field/calls/" in call_page.url
    reads = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "call.read", AuditEvent.user_id == people["supervisor"].id))
    assert reads == 1
    assert console_errors == []


def test_clicking_a_bar_lists_the_calls_behind_it(live_server, page, unit, console_errors):
    agency, people = unit
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/outcomes?{QUERY}")
    wait_for_charts(page)
    arrests_in_february = metrics.MetricFilters(agency_id=agency.id, date_from=date(2026, 2, 1),
                                                date_to=date(2026, 2, 28))
    expected = sum(row["count"] for row in metrics.outcome_class_series(filters=arrests_in_february)
                   if row["outcome_class"] == "arrest_or_citation")

    # The February segment of the arrest-or-citation class: its trace is named by the class label.
    trace = page.locator("#outcomes-classes .trace.bars").nth(_trace_index(page, "outcomes-classes", "Arrest or citation"))
    box = trace.locator(".point path").nth(1).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/dashboard/calls?from=2026-02-01&to=2026-02-28**subset=class%3Aarrest_or_citation**")
    page.wait_for_selector("#drill-table")

    assert page.locator("#drill-table tbody tr").count() == expected > 0
    assert console_errors == []


def _trace_index(page, chart_id: str, name: str) -> int:
    """The position of a named trace in a chart (Plotly draws bar traces in data order)."""
    names = page.evaluate("id => [...document.querySelector('#' + id + ' .js-plotly-plot').data].map(t => t.name)",
                          chart_id)
    return names.index(name)

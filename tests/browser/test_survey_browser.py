"""The anonymous survey in Chromium: issued on a tablet (link and QR code), answered on a phone
(390x844) without login, accessible (axe-core), and the clinician's review and reminder pages."""

from datetime import timedelta

import pytest

from mhu.models.types import utcnow
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TABLET, browser_login, screenshot
from tests.factories import PASSWORD, add_call, add_followup, call_payload

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_survey_issued_on_the_tablet_and_answered_on_a_phone(live_server, browser, make, api):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    tablet = browser.new_context(viewport=TABLET, has_touch=True).new_page()
    errors = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(tablet, live_server, people["clinician"], PASSWORD)

    tablet.goto(f"{live_server}/field/calls/{call['id']}")
    tablet.get_by_role("button", name="Create a survey link").click()
    tablet.wait_for_load_state("networkidle")
    assert tablet.locator(".qr svg").is_visible()
    assert tablet.get_by_role("button", name="Print the hand-out").is_visible()
    tablet.emulate_media(media="print")
    assert not tablet.locator(".topbar").is_visible() and tablet.locator(".qr svg").is_visible()
    tablet.emulate_media(media="screen")
    url = tablet.locator("#survey-url").inner_text()
    assert url.startswith(f"{live_server}/s/")
    assert_accessible(tablet, "the survey hand-out")
    screenshot(tablet, "survey-handout-tablet")

    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    requested = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto(url)
    assert phone.get_by_role("heading", name="How did we do?").is_visible()
    # Nothing spills sideways on a phone, and every answer is a big enough target.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = phone.locator("label.choice").first.bounding_box()
    assert box["height"] >= 44
    assert_accessible(phone, "the survey on a phone")
    assert all(address.startswith(live_server) for address in requested), requested  # local files only

    phone.get_by_role("group", name="The team treated me with respect.").get_by_label("Strongly agree").check()
    phone.get_by_role("group", name="I felt safer after the team came.").get_by_label("Agree", exact=True).check()
    phone.get_by_label("Anything else you want to tell us? (optional)").fill("They listened.")
    screenshot(phone, "survey-phone-form")
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.get_by_role("heading", name="Thank you").is_visible()
    assert_accessible(phone, "the survey's thank-you page")
    screenshot(phone, "survey-phone-thanks")

    used = phone.goto(url)
    assert used.status == 404 and phone.get_by_role("heading", name="This link does not work").is_visible()

    tablet.goto(f"{live_server}/field/surveys/review")
    assert "They listened." in tablet.locator("#comment-list").inner_text()
    assert_accessible(tablet, "the comment review queue")
    assert errors == []
    phone_context.close()


def test_reminder_badge_and_list_are_accessible(live_server, page, make):
    _, _, people = make.unit()
    call = add_call(people["officer"], utcnow() - timedelta(hours=40))
    add_followup(people["officer"], call, due_at=utcnow() + timedelta(hours=3), assigned_to_id=people["clinician"].id)
    page.set_viewport_size(TABLET)
    browser_login(page, live_server, people["clinician"], PASSWORD)

    page.goto(f"{live_server}/field/")
    assert page.locator("#reminder-badge .reminder-count").inner_text() == "1"
    page.locator("#reminder-badge").click()
    page.wait_for_load_state("networkidle")
    assert "Due soon" in page.locator("#reminder-list").inner_text()
    assert_accessible(page, "the reminder list")
    screenshot(page, "field-reminders")


def test_supervisor_survey_page_and_partner_table_render_accessibly(live_server, page, make, console_errors):
    from datetime import date

    from mhu.extensions import db
    from mhu.models import SurveyResponse
    from tests.browser.test_dashboard_browser import wait_for_charts

    agency, team, people = make.unit()
    for score in [5] * 14 + [4] * 12 + [3] * 2 + [1] * 11:
        db.session.add(SurveyResponse(agency_id=agency.id, team_id=team.id, month=date(2026, 3, 1), respected=score,
                                      safer=score, helped=score, would_call_again=score))
    db.session.add(SurveyResponse(agency_id=agency.id, team_id=team.id, month=date(2026, 3, 1), helped=4,
                                  comment="They listened to my mother.", comment_state="approved"))
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, live_server, people["supervisor"], PASSWORD)

    page.goto(f"{live_server}/dashboard/surveys?from=2026-03-01&to=2026-03-31")
    assert wait_for_charts(page) == 1
    assert "They listened to my mother." in page.locator("#survey-comments").inner_text()
    assert page.locator("#survey-responses").inner_text() == "40"
    screenshot(page, "dashboard-surveys")
    assert_accessible(page, "the surveys page")

    page.goto(f"{live_server}/dashboard/partner?from=2026-03-01&to=2026-03-31")
    table = page.locator("#partner-surveys")
    table.wait_for()
    assert "<11" in table.inner_text()  # the two answers of 3
    assert_accessible(page, "the partner view with the survey table")
    assert console_errors == []

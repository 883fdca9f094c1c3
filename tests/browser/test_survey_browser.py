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

"""The field workflow as officers and clinicians use it, on the 800x1280 tablet: a call logged
after the fact, time entry, referrals, the subject pick, offline subjects, hints, the person page,
the clinician's queue and call page, keyboard paths, and axe-core on every field page."""

import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, FollowUp
from mhu.models.types import utcnow
from mhu.services import calls as call_service
from mhu.services import persons
from mhu.services.localtime import agency_today
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TABLET, browser_login, follow, screenshot
from tests.browser.test_field_browser import Counter, server_calls, toggle, wait_until
from tests.factories import PASSWORD, call_payload

pytestmark = pytest.mark.browser
SAVED_CALL = re.compile(r"/field/calls/[0-9a-f-]{36}\?saved=1$")
OFFICER_BUDGET = 20
CLINICIAN_BUDGET = 6


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "has_touch": True}


def chip(page, name, step):
    return page.locator(f'[data-step-for="{name}"][data-step="-{step}"]')


def test_typical_call_logged_twenty_minutes_after_it_cleared(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    subject = persons.create_person(actor=people["officer"], data={
        "first_name": "Katherine", "last_name": "Oduya", "date_of_birth": date(1988, 4, 12),
        "safety_flags": ["assaultive_history"],
    })
    browser_login(page, live_server, people["officer"], PASSWORD)
    me = Counter(page)

    me.tap(page.get_by_role("link", name="New call"))
    page.wait_for_selector("#call-form")
    assert page.locator("#received_at").input_value() == ""  # no "now" to undo
    assert_accessible(page, "new-call form")
    # Received an hour ago, dispatched at once, arrived 45 and cleared 20 minutes ago.
    me.tap(chip(page, "received_at", 60))
    me.tap(chip(page, "dispatched_at", 60))
    me.tap(chip(page, "arrived_at", 30))
    me.tap(chip(page, "arrived_at", 15))
    me.tap(chip(page, "cleared_at", 15))
    me.tap(chip(page, "cleared_at", 5))
    me.tap(toggle(page, "call_source", "911"))
    me.tap(toggle(page, "nature", "MH crisis"))
    me.type(page.get_by_label("Subject name"), "Kate Oduya")
    me.tap(page.get_by_role("button", name="Search", exact=True))
    page.wait_for_selector(".candidate")
    assert "assaultive history" in page.locator(".candidate").first.inner_text()
    expanded = page.evaluate("() => document.documentElement.scrollHeight")
    screenshot(page, "field-subject-candidates")
    me.tap(page.get_by_role("button", name="Pick Katherine Oduya"))
    # The pick collapses the search to the chosen person, with a way to change it.
    assert page.locator("#subject-chosen").is_visible() and not page.locator(".candidate").first.is_visible()
    assert "Katherine Oduya" in page.locator("#subject-chosen").inner_text()
    assert page.get_by_role("button", name="Change subject").is_visible()
    assert page.evaluate("() => document.documentElement.scrollHeight") < expanded
    me.tap(toggle(page, "presenting_problems", "Suicidal ideation"))
    me.tap(toggle(page, "presenting_problems", "Substance use"))
    me.tap(toggle(page, "risk_flags", "Intoxicated"))
    me.tap(toggle(page, "disposition", "Resolved with referral"))
    assert page.locator("#referral-required").is_visible()
    page.get_by_label("Referral type").click()
    me.taps += 1  # choosing from the list is one tap on a tablet
    page.get_by_label("Referral type").select_option("crisis_stabilization")
    me.tap(page.get_by_label("Needs clinician follow-up"))
    me.type(page.get_by_label("Narrative"), "Calm after talking; safety plan with sister.")
    screenshot(page, "field-new-call-typical")
    me.tap(page.get_by_role("button", name="Save call"))
    page.wait_for_url(SAVED_CALL)
    print(f"\nINTERACTIONS for a typical officer call logged 20 min after clearing: {me.total} "
          f"({me.taps} taps, {me.typed} typed fields)")

    banner = page.locator("#saved-banner")
    assert "Call saved." in banner.inner_text() and "Incident" in banner.inner_text() and "received" in banner.inner_text()
    screenshot(page, "field-call-saved")
    assert_accessible(page, "officer call page")
    [call] = server_calls(api(people["officer"]))
    assert call["person_id"] == str(subject.id)
    assert call["disposition"] == "resolved_with_referral" and call["sim_intercept"] == 1
    assert call["received_at"] <= call["dispatched_at"] <= call["arrived_at"] <= call["cleared_at"]
    referrals = api(people["officer"]).get(f"/api/v1/calls/{call['id']}/referrals").json
    assert [r["referral_type"] for r in referrals] == ["crisis_stabilization"]
    assert page.get_by_role("link", name="Katherine Oduya").is_visible()

    follow(page, page.get_by_role("link", name="Field home"))
    # Received an hour ago: in the agency's first hour of the day that was yesterday (CI at 06:30
    # UTC is 00:30 in Chicago), and the home lists it under yesterday.
    received = db.session.scalar(sa.select(Call.local_date).where(Call.id == uuid.UUID(call["id"])))
    day = "today" if received == agency_today(people["officer"].agency_id) else "yesterday"
    assert call["id"] in page.locator(f"#recent-{day}").inner_html()
    screenshot(page, "field-home-recent")
    assert_accessible(page, "officer field home")
    assert me.total <= OFFICER_BUDGET
    assert console_errors == []


def test_time_entry_marks_both_times_in_an_order_error_readably(live_server, page, make, console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")

    chip(page, "received_at", 5).click()
    chip(page, "received_at", 5).click()  # a chip steps back again from the time it set
    received = page.locator("#received_at").input_value()
    page.locator("#arrived_at").click()  # an empty later time opens at the time before it
    assert page.locator("#arrived_at").input_value() == received
    page.locator("#arrived_at").fill("")
    chip(page, "dispatched_at", 30).click()  # dispatched before received
    toggle(page, "call_source", "911").click()
    toggle(page, "nature", "Welfare check").click()
    page.get_by_role("button", name="Save call").click()

    for name in ("received_at", "dispatched_at"):
        row = page.locator(f'.time-row[data-field="{name}"]')
        assert "has-error" in row.get_attribute("class"), name
        error = page.locator(f'[data-error-for="{name}"]')
        assert error.bounding_box()["width"] > 500, name  # the whole row, not the label column
    assert "later than dispatched" in page.locator('[data-error-for="received_at"]').inner_text()
    assert "earlier than received" in page.locator('[data-error-for="dispatched_at"]').inner_text()
    assert "Received time" in page.locator("#form-status").inner_text() or "received" in page.locator("#form-status").inner_text()
    page.locator("#fs-times").scroll_into_view_if_needed()
    screenshot(page, "field-time-order-error")
    assert_accessible(page, "new-call form with errors")

    # A referral disposition asks for a referral on the device, before the server would.
    chip(page, "dispatched_at", 5).click()
    page.locator("#dispatched_at").fill("")
    toggle(page, "disposition", "Referred to other agency").click()
    page.get_by_role("button", name="Save call").click()
    assert "needs a referral" in page.locator('[data-error-for="referrals"]').inner_text()
    assert console_errors == []


def test_clear_form_is_away_from_save_and_asks_first(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")
    page.get_by_label("Narrative").fill("Half-typed narrative")
    clear = page.get_by_role("button", name="Clear form…")
    save = page.get_by_role("button", name="Save call")

    assert page.locator(".sticky-save #reset-form").count() == 0
    clear.scroll_into_view_if_needed()
    assert abs(clear.bounding_box()["x"] - save.bounding_box()["x"]) > 100 or abs(clear.bounding_box()["y"] - save.bounding_box()["y"]) > 200
    page.once("dialog", lambda dialog: dialog.dismiss())
    clear.click()
    assert page.get_by_label("Narrative").input_value() == "Half-typed narrative"
    page.once("dialog", lambda dialog: dialog.accept())
    clear.click()
    page.wait_for_load_state("load")
    page.get_by_label("Narrative").wait_for()
    assert page.get_by_label("Narrative").input_value() == ""


def test_hints_explain_jargon_and_intercept_follows_the_call_source(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")

    for group in ("call_source", "nature", "presenting_problems", "risk_flags", "disposition"):
        hint = page.locator(f"#fs-{group}-hint")
        assert hint.is_visible() and len(hint.inner_text()) > 20, group
    assert "Text 911" in page.locator("#fs-call_source-hint").inner_text()
    assert "Sequential Intercept Model" in page.locator("#intercept-hint").inner_text()

    toggle(page, "call_source", "Court or jail").click()
    assert page.locator("#sim_intercept").input_value() == "3"
    toggle(page, "call_source", "911").click()
    assert page.locator("#sim_intercept").input_value() == "1"
    page.locator("#sim_intercept").select_option("2")
    toggle(page, "call_source", "Court or jail").click()
    assert page.locator("#sim_intercept").input_value() == "2"  # a choice of the user stays
    page.locator("#fs-response").scroll_into_view_if_needed()
    screenshot(page, "field-hints-intercept")


def test_offline_typed_subject_is_kept_and_matched_when_sent(live_server, page, context, make, api):
    _, _, people = make.unit()
    subject = persons.create_person(actor=people["officer"], data={
        "first_name": "Marta", "last_name": "Lindqvist", "date_of_birth": date(1990, 1, 31)})
    officer = api(people["officer"])
    browser_login(page, live_server, people["officer"], PASSWORD)

    def offline_call(name, dob=None):
        page.goto(f"{live_server}/field/calls/new")
        context.set_offline(True)
        chip(page, "received_at", 30).click()
        toggle(page, "call_source", "911").click()
        toggle(page, "nature", "Welfare check").click()
        page.get_by_label("Subject name").fill(name)
        if dob:
            page.get_by_label("Date of birth").fill(dob)
        page.get_by_role("button", name="Save call").click()
        page.locator("#form-status", has_text="kept with it").wait_for()
        context.set_offline(False)

    offline_call("Marta Lindqvist", "1990-01-31")
    screenshot(page, "field-offline-typed-subject")
    offline_call("Unknown Stranger")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert wait_until(lambda: page.evaluate("() => MHU.outbox.count()") == 0)

    by_person = {c["person_id"] for c in server_calls(officer)}
    assert by_person == {str(subject.id), None}
    page.goto(f"{live_server}/field/")
    assert "Unknown Stranger" in page.locator("#needs-subject").inner_text()
    screenshot(page, "field-home-needs-subject")


def test_person_page_is_reached_from_the_call_and_refused_to_a_partner(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    person = persons.create_person(actor=people["officer"], data={
        "first_name": "Dana", "last_name": "Whitfield", "aliases": ["Dee"], "safety_flags": ["weapons_history"],
        "response_plan": "Approach slowly; ask for her sister Mia."})
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload(person_id=str(person.id))).json
    browser_login(page, live_server, people["officer"], PASSWORD)

    page.goto(f"{live_server}/field/calls/{call['id']}")
    follow(page, page.get_by_role("link", name="Dana Whitfield"))
    page.wait_for_url(f"**/field/persons/{person.id}")
    texts = page.locator("main").inner_text()
    assert texts.index("Weapons history") < texts.index("Contact history")
    assert "ask for her sister Mia" in texts and "County Behavioral Health" in texts
    screenshot(page, "field-person-page")
    assert_accessible(page, "person page")
    assert console_errors == []

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    browser_login(page, live_server, people["partner"], PASSWORD)
    assert page.goto(f"{live_server}/field/persons/{person.id}").status == 403


def _followups(officer, count, start_hours):
    """`count` follow-ups due one hour apart from `start_hours` from now."""
    for n in range(count):
        call = call_service.create_call(actor=officer, data={
            "received_at": utcnow() - timedelta(hours=1), "call_source": "911", "nature": "mh_crisis",
            "followup_required": True, "incident_number": f"F-{start_hours + n:+04d}",
        })
        followup = db.session.scalar(sa.select(FollowUp).where(FollowUp.call_id == call.id))
        followup.due_at = utcnow() + timedelta(hours=start_hours + n)
    db.session.commit()


def test_clinician_works_the_queue_from_a_summary_and_attempts_confirm_in_place(live_server, page, make, console_errors):
    _, _, people = make.unit()
    _followups(people["officer"], 22, 1)      # due within the next day
    _followups(people["officer"], 3, -400)    # long overdue
    browser_login(page, live_server, people["clinician"], PASSWORD)
    me = Counter(page)

    me.tap(page.get_by_role("link", name="Follow-up queue"))
    summary = page.locator("#queue-summary").inner_text()
    assert "3 overdue" in summary and "due today" in summary and "due tomorrow" in summary
    assert "F-+01" in page.locator("#followup-list").inner_text()  # due soon first
    assert "Page 1 of 2" in page.locator("#queue-count").inner_text()
    assert_accessible(page, "follow-up queue")
    card = page.locator(".followup").nth(2)
    card_id = card.get_attribute("id")
    card.scroll_into_view_if_needed()
    summary_marker = page.evaluate("""() => getComputedStyle(document.querySelector('details.disclosure > summary'), '::before').borderLeftWidth""")
    assert summary_marker not in ("", "0px")  # the disclosure triangle is drawn
    me.tap(card.get_by_text("Record an attempt"))
    me.tap(card.get_by_label("Reached the person"))
    card.get_by_label("Outcome (closes the follow-up)").select_option("reached_engaged")
    me.taps += 1
    scrolled = page.evaluate("() => window.scrollY")
    me.tap(card.get_by_role("button", name="Record attempt"))
    confirm = page.locator(f"#{card_id} [data-confirm]")
    confirm.wait_for()
    print(f"\nINTERACTIONS for a typical clinician attempt: {me.total} ({me.taps} taps, {me.typed} typed fields)")
    assert "Attempt recorded: phone, reached. Follow-up closed: reached engaged." in confirm.inner_text()
    assert page.locator(f"#{card_id}").is_visible()  # the card stays, confirmed in place
    assert abs(page.evaluate("() => window.scrollY") - scrolled) < 400
    screenshot(page, "field-queue-attempt-confirmed")
    assert me.total <= CLINICIAN_BUDGET

    follow(page, page.get_by_role("link", name="Overdue", exact=True))
    overdue = page.locator(".followup.overdue").first
    assert re.search(r"Overdue by \d+ days", overdue.inner_text())
    assert "Overdue overdue" not in page.locator("main").inner_text().title()
    padding = page.evaluate("(el) => parseFloat(getComputedStyle(el).paddingLeft)", overdue.element_handle())
    assert padding >= 16
    screenshot(page, "field-queue-overdue")
    follow(page, page.get_by_role("link", name="Due soon"))
    follow(page, page.get_by_role("link", name="Next page"))
    assert "Page 2 of 2" in page.locator("#queue-count").inner_text()
    assert console_errors == []


def test_attempt_without_javascript_still_records_and_confirms(live_server, browser, make):
    _, _, people = make.unit()
    _followups(people["officer"], 1, 5)
    context = browser.new_context(viewport=TABLET, java_script_enabled=False)
    page = context.new_page()
    browser_login(page, live_server, people["clinician"], PASSWORD)
    page.goto(f"{live_server}/field/followups")

    card = page.locator(".followup").first
    card.get_by_text("Record an attempt").click()
    card.get_by_label("Reached the person").check()
    card.get_by_role("button", name="Record attempt").click()
    page.wait_for_load_state("load")

    assert "Attempt recorded." in page.locator(".flash").inner_text()
    assert "Phone · reached" in page.locator("#followup-list").inner_text()
    screenshot(page, "field-queue-attempt-no-js")
    context.close()


def test_clinician_call_page_opens_on_followup_and_notes_with_details_read_only(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    browser_login(page, live_server, people["clinician"], PASSWORD)
    page.goto(f"{live_server}/field/calls/{call['id']}")

    top = lambda selector: page.locator(selector).first.bounding_box()["y"]  # noqa: E731
    assert top(".followup") < top("#clinical-notes") < top(".summary-card")
    assert top("#clinical-notes") < TABLET["height"] * 1.5
    assert not page.locator("#call-form").is_visible()
    assert not page.locator(".sticky-save").is_visible()  # one save mechanism at a time
    assert_accessible(page, "clinician call page")
    page.get_by_label("New clinical note").fill("Agreed to a crisis stabilization intake tomorrow.")
    page.get_by_role("button", name="Add note").click()
    page.locator("#clinical-notes [data-confirm]", has_text="Note added.").wait_for()
    assert "crisis stabilization intake" in page.locator("#clinical-notes").inner_text()
    screenshot(page, "field-call-clinician-first")

    page.get_by_text("Edit call details").click()
    assert page.get_by_role("button", name="Save changes").is_visible()
    assert console_errors == []


def test_keyboard_reaches_save_quickly_and_focus_is_never_under_the_sticky_bar(live_server, page, make):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")
    page.locator("h1").click()

    presses, hidden = 0, []
    while presses < 150:
        page.keyboard.press("Tab")
        presses += 1
        state = page.evaluate("""() => {
            const el = document.activeElement;
            const bar = document.querySelector('.sticky-save').getBoundingClientRect();
            const box = el.getBoundingClientRect();
            return {id: el.id, save: el.id === 'save-call', inBar: !!el.closest('.sticky-save'),
                    hidden: !el.closest('.sticky-save') && box.bottom > bar.top + 1 && box.top < window.innerHeight};
        }""")
        if state["hidden"]:
            hidden.append(state["id"] or presses)
        if state["save"]:
            break
    print(f"\nTAB PRESSES from the page top to Save on the new-call form: {presses}")
    assert state["save"]
    assert hidden == []
    assert presses <= 60

    # Inside a group of toggles the arrow keys move and Space selects.
    page.locator('#fs-presenting_problems input').first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.locator('#fs-presenting_problems input:checked').evaluate_all("(els) => els.map((e) => e.value)") == ["psychotic_symptoms"]

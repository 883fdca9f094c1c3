"""Demographics on the tablet form: optional controls with "Not recorded" chosen, sent with a new
person, accessible (axe-core); a supervisor approves a call's story on the call page."""

import re

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import TABLET, browser_login, screenshot
from tests.factories import PASSWORD, call_payload

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "has_touch": True}


def test_new_person_carries_the_demographics_chosen_on_the_call_form(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["officer"], PASSWORD)
    page.goto(f"{live_server}/field/calls/new")

    page.get_by_text("Demographics for a new person (optional)").click()
    race = page.locator("#fs-new-person-race")
    not_recorded = race.get_by_label("Not recorded")
    assert not_recorded.is_checked()
    race.get_by_label("Black or African American").check()
    race.get_by_label("Hispanic or Latino").check()
    assert not not_recorded.is_checked()  # a category replaces "Not recorded"
    page.locator("#fs-new-person-sex").get_by_label("Another sex").check()
    assert_accessible(page, "the new-call form with demographics open")
    screenshot(page, "field-demographics")
    page.get_by_label("Subject name").fill("Dana Okafor")
    page.get_by_role("button", name="New person").click()
    page.locator("#subject-chosen-text", has_text="Dana Okafor").wait_for()

    person_id = page.locator("#person_id").input_value()
    person = api(people["officer"]).get(f"/api/v1/persons/{person_id}").json
    assert person["race_ethnicity"] == ["black_or_african_american", "hispanic_or_latino"]
    assert person["sex"] == "another"
    assert console_errors == []


def test_supervisor_approves_a_drafted_story_on_the_call_page(live_server, page, make, api, console_errors):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    api(people["officer"]).put(f"/api/v1/calls/{call['id']}/story",
                               json={"summary": "A young adult in crisis was calmed and linked to peer support."})
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/field/calls/{call['id']}")

    story = page.locator("#story")
    assert "Draft" in story.inner_text()
    assert_accessible(page, "the call page with a draft story")
    story.get_by_role("button", name="Approve for sharing").click()
    page.wait_for_url(re.compile(r"#story$"))

    assert "Approved" in page.locator("#story-status").inner_text()
    assert console_errors == []

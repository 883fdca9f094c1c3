"""The CIT training page in Chromium: a supervisor comes from the dashboard, adds a record, is told
at the field when it is recorded already, uploads a roster with a bad row, removes a record and
reads the shares; every state checked with axe-core, no console errors under the CSP."""

import pytest
from playwright.sync_api import expect

from mhu.services import training
from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, follow, screenshot
from tests.factories import PASSWORD, add_call, utc

pytestmark = pytest.mark.browser


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_supervisor_maintains_the_roster_and_reads_the_shares(live_server, page, make, console_errors, tmp_path):
    _, _, people = make.unit()
    officer, supervisor = people["officer"], people["supervisor"]
    training.create_training(actor=supervisor, user_id=supervisor.id,
                             data={"course": "CIT 40-hour basic", "hours": 40, "completed_on": "2026-01-20",
                                   "certifying_body": "State POST"})
    add_call(officer, utc(2026, 1, 5, 15), cit_officer_on_scene=True)
    add_call(officer, utc(2026, 2, 6, 15))
    browser_login(page, live_server, supervisor, PASSWORD)

    follow(page, page.get_by_role("link", name="CIT training"))  # from the dashboard's navigation
    expect(page.get_by_role("heading", name="CIT training", exact=True)).to_be_visible()
    assert_accessible(page, "the CIT training page")

    page.get_by_label("Officer", exact=True).select_option(label=f"{officer.email} (officer)")
    page.get_by_label("Course").fill("CIT 40-hour basic")
    page.get_by_label("Hours").fill("40")
    page.get_by_label("Completed on").fill("2026-02-10")
    page.get_by_label("Certifying body (optional)").fill("State POST")
    submit(page, "Add record")
    expect(page.get_by_role("alert")).to_have_text(f"Recorded CIT 40-hour basic for {officer.email}.")
    expect(page.locator(f'tr[data-officer="{officer.id}"]')).to_have_attribute("data-trained", "yes")

    # The same course on the same day again: refused at the field, what was typed kept.
    page.get_by_label("Officer", exact=True).select_option(label=f"{officer.email} (officer)")
    page.get_by_label("Course").fill("CIT 40-hour basic")
    page.get_by_label("Hours").fill("40")
    page.get_by_label("Completed on").fill("2026-02-10")
    submit(page, "Add record")
    expect(page.locator("#course-error")).to_have_text("Already recorded for this officer on that date.")
    assert page.get_by_label("Course").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Hours").input_value() == "40"
    assert_accessible(page, "the add form with a problem")

    roster = tmp_path / "roster.csv"
    roster.write_text("email,course,hours,completed_on,certifying_body\n"
                      f"{officer.email},CIT refresher,8,2026-03-02,County academy\n"
                      "nobody@example.test,CIT basic,40,2026-03-02,\n", encoding="utf-8")
    page.get_by_label("Roster CSV file").set_input_files(str(roster))
    submit(page, "Upload roster")
    status = page.get_by_role("status")
    expect(status).to_contain_text("1 row added")
    expect(status).to_contain_text("1 row rejected")
    expect(page.get_by_role("row", name="Line 3")).to_contain_text("nobody@example.test")
    assert_accessible(page, "the upload result")

    submit(page, f"Remove CIT refresher of {officer.email}, 2026-03-02")
    expect(page.get_by_role("alert")).to_have_text(f"Removed CIT refresher for {officer.email}.")
    assert page.get_by_role("cell", name="CIT refresher", exact=True).count() == 0

    page.get_by_label("From month").fill("2026-01")
    page.get_by_label("To month").fill("2026-03")
    submit(page, "Show months")
    shares = page.locator("#shares-rows")
    expect(shares.get_by_role("row", name="2026-01")).to_contain_text("50.0 %")  # the supervisor, of two
    february = shares.get_by_role("row", name="2026-02")
    expect(february.get_by_role("cell").nth(0)).to_have_text("100.0 %")  # both by February's end
    expect(february.get_by_role("cell").nth(2)).to_have_text("0.0 %")  # no CIT officer on the call
    expect(page.get_by_role("img", name="CIT shares per month")).to_be_visible()
    assert_accessible(page, "the CIT shares")
    screenshot(page, "cit-roster")
    assert [e for e in console_errors if "409" not in e] == []  # the refused duplicate answers 409

"""In Chromium: a supervisor previews and runs an import with the live progress bar; an officer
finds a CAD call waiting on the field home and opens it pre-filled. axe-core on every state."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import TABLET, browser_login, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def test_supervisor_previews_then_imports_with_progress_and_gets_the_rejects(live_server, page, make,
                                                                             console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/imports/")
    assert_accessible(page, "import page")

    page.get_by_label("CSV or XLSX file").set_input_files(str(FIXTURES / "county-export.csv"))
    page.get_by_label("or a profile file").set_input_files(str(FIXTURES / "county-profile.json"))
    page.get_by_role("button", name="Preview (dry run)").click()

    preview = page.locator("#preview-section")
    expect(preview).to_be_visible(timeout=20_000)
    expect(page.locator("#preview-counts")).to_contain_text("created 5")
    expect(page.locator("#preview-errors")).to_contain_text("disposition: no mapping for 'Jail'")
    expect(page.locator("#preview-rows tbody tr")).to_have_count(5)
    assert_accessible(page, "import preview")
    screenshot(page, "import-preview")

    page.get_by_role("button", name="Import these rows").click()

    expect(page.locator("#run-status")).to_have_text("done: 9 of 9 rows", timeout=30_000)
    assert page.locator("#run-progress").evaluate("p => p.value === p.max")
    expect(page.locator("#run-report")).to_contain_text("created 5")
    link = page.get_by_role("link", name="Download rejected rows (CSV)")
    expect(link).to_be_visible()
    assert re.search(r"/api/v1/imports/[0-9a-f-]{36}/rejects\.csv$", link.get_attribute("href"))
    assert_accessible(page, "import report")
    screenshot(page, "import-report")
    assert console_errors == []


def test_officer_opens_a_cad_call_waiting_for_details_with_its_fields_filled(live_server, page, make, api,
                                                                             console_errors):
    agency, team, people = make.unit()
    feed = make.user("integration", agency, teams=[team])
    response = api(feed).post("/api/v1/cad/incidents", json={"incident": {
        "incident_number": "C24-0777", "received_at": "2024-05-01T09:00:00-05:00", "address": "12 Lake Rd",
        "initial_call_type": "MENTAL"}})
    assert response.status_code == 201
    page.set_viewport_size(TABLET)
    browser_login(page, live_server, people["officer"], PASSWORD)

    waiting = page.locator("#cad-waiting")
    expect(waiting).to_contain_text("From CAD, waiting for details")
    expect(waiting).to_contain_text("C24-0777")
    assert_accessible(page, "field home with CAD calls")
    waiting.get_by_role("link").first.click()

    expect(page.locator("#incident_number")).to_have_value("C24-0777")
    expect(page.locator("#address")).to_have_value("12 Lake Rd")
    expect(page.locator("#initial_call_type")).to_have_value("MENTAL")
    expect(page.locator("#received_at")).not_to_have_value("")
    screenshot(page, "field-cad-call")
    assert console_errors == []

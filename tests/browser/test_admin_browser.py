"""Administration flows in Chromium, each page checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a brand new passphrase 2026"


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_admin_changes_the_agency_settings(live_server, page, make, console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["admin"], PASSWORD)
    page.get_by_role("link", name="Agency settings").first.click()
    assert_accessible(page, "agency settings")

    page.get_by_label("Districts and beats").fill("North: N1, N2\nSouth: S1")
    page.get_by_label("Suppression threshold").fill("5")
    page.get_by_label("Follow-up hours").fill("24")
    submit(page, "Save settings")

    assert page.get_by_role("alert").inner_text() == "Settings saved."
    assert page.get_by_label("Follow-up hours").input_value() == "24"
    page.get_by_label("Time zone").fill("Nowhere/Else")
    submit(page, "Save settings")
    assert "Not an IANA time zone name" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "agency settings with problems")
    screenshot(page, "admin-settings")
    # The refused form answers 422, which Chromium logs; nothing else may be logged.
    assert [e for e in console_errors if "422" not in e] == []


def test_admin_invites_a_clinician_who_sets_a_password_and_logs_in(live_server, page, browser, make, console_errors):
    _, team, people = make.unit()
    browser_login(page, live_server, people["admin"], PASSWORD)
    page.goto(f"{live_server}/admin/users")
    assert_accessible(page, "users")

    page.get_by_label("Email").fill("new.clinician@example.test")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_label(team.name).check()
    submit(page, "Create invitation link")
    assert_accessible(page, "invitation link")
    link = page.get_by_label("Link").input_value()

    invitee = browser.new_context().new_page()
    invitee.goto(link)
    assert_accessible(invitee, "invitation acceptance")
    invitee.get_by_label("Your name").fill("New Clinician")
    invitee.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("New password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set password").click()
    invitee.wait_for_load_state("networkidle")
    invitee.get_by_label("Email").fill("new.clinician@example.test")
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Log in").click()
    invitee.wait_for_load_state("networkidle")
    assert invitee.url.endswith("/field/")

    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="This link is not valid")).to_be_visible()  # waits for the page the action leads to
    invitee.context.close()
    assert console_errors == []


def test_admin_changes_a_role_unlocks_resets_and_signs_out_a_user(live_server, page, browser, make, console_errors):
    _, _, people = make.unit()
    officer = people["officer"]
    officer_page = browser.new_context().new_page()
    browser_login(officer_page, live_server, officer, PASSWORD)
    browser_login(page, live_server, people["admin"], PASSWORD)

    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name=officer.email).click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "user")
    assert page.get_by_role("table").get_by_role("row").count() == 2  # header + the officer's tablet

    submit(page, "Sign out on every device")
    assert "Signed out on 1 device" in page.get_by_role("alert").inner_text()
    officer_page.goto(f"{live_server}/field/")
    assert "/login" in officer_page.url

    page.get_by_label("Role").select_option("supervisor")
    submit(page, "Save account")
    assert page.get_by_label("Role").input_value() == "supervisor"
    submit(page, "Unlock")
    assert page.get_by_role("alert").inner_text() == "Account unlocked."
    submit(page, "Force password reset")
    expect(page.get_by_role("heading", name="Password reset")).to_be_visible()  # waits for the page the action leads to
    assert "/account/link/" in page.get_by_label("Link").input_value()
    assert_accessible(page, "password reset link")
    officer_page.context.close()
    assert console_errors == []


def test_admin_creates_a_team_and_adds_members(live_server, page, make, console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["admin"], PASSWORD)
    page.goto(f"{live_server}/admin/teams")
    assert_accessible(page, "teams")

    page.get_by_label("Name").fill("Evening unit")
    page.get_by_label("Kind").select_option("clinician_only")
    submit(page, "Add team")
    expect(page.get_by_role("heading", name="Team Evening unit")).to_be_visible()  # waits for the page the action leads to
    assert_accessible(page, "team")
    page.get_by_label(f"{people['clinician'].email} (clinician)").check()
    submit(page, "Save team")

    assert page.get_by_label(f"{people['clinician'].email} (clinician)").is_checked()
    page.goto(f"{live_server}/admin/teams")
    row = page.get_by_role("row", name="Evening unit")
    assert row.get_by_role("cell").nth(2).inner_text() == "1"
    assert console_errors == []


def test_admin_issues_and_revokes_an_integration_token(live_server, page, make, console_errors):
    agency, _, people = make.unit()
    browser_login(page, live_server, people["admin"], PASSWORD)
    page.goto(f"{live_server}/admin/tokens")
    assert_accessible(page, "tokens")

    page.get_by_label("Account address").fill("cad-feed@example.test")
    page.get_by_label("Name").fill("CAD feed")
    submit(page, "Add integration account")
    assert "Integration account cad-feed@example.test created" in page.get_by_role("alert").inner_text()
    page.get_by_label("Account", exact=True).select_option(label="cad-feed@example.test (integration)")
    page.get_by_label("Label").fill("CAD feed")
    submit(page, "Issue token")
    assert len(page.get_by_label("New token (copy it now; it is not shown again)").input_value()) > 30
    assert_accessible(page, "token issued")

    submit(page, "Revoke CAD feed")
    assert page.get_by_role("alert").inner_text() == "Token revoked."
    assert not page.get_by_role("row", name="CAD feed").count()
    assert console_errors == []


def test_admin_filters_the_audit_trail_and_downloads_it(live_server, page, make, console_errors):
    _, _, people = make.unit()
    browser_login(page, live_server, people["admin"], PASSWORD)
    page.goto(f"{live_server}/admin/teams")
    page.get_by_label("Name").fill("Audited team")
    submit(page, "Add team")

    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("Kind of change").select_option("permission")
    submit(page, "Filter")
    assert_accessible(page, "audit trail")
    expect(page.get_by_role("cell", name="permission.team.create")).to_be_visible()  # waits for the page the action leads to
    assert not page.get_by_role("cell", name="login", exact=True).count()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these events as CSV").click()
    with open(download.value.path(), encoding="utf-8") as file:
        body = file.read()
    assert body.startswith("id,occurred_at") and "permission.team.create" in body and ",login," not in body
    assert console_errors == []


def test_a_user_sees_their_devices_and_signs_out_another(live_server, page, browser, make, console_errors):
    _, _, people = make.unit()
    other_device = browser.new_context().new_page()
    browser_login(other_device, live_server, people["clinician"], PASSWORD)
    browser_login(page, live_server, people["clinician"], PASSWORD)

    page.get_by_role("link", name="My sessions").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page, "my sessions")
    assert page.get_by_role("row").count() == 3 and page.get_by_text("(this device)").count() == 1

    submit(page, "Sign out every other device")
    assert page.get_by_role("row").count() == 2
    other_device.goto(f"{live_server}/field/")
    assert "/login" in other_device.url
    page.goto(f"{live_server}/field/")
    assert page.url.endswith("/field/")
    other_device.context.close()
    assert console_errors == []

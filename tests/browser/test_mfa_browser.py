"""Two-step sign-in in Chromium: an agency that requires it sends an officer to set it up, the QR
code is drawn locally, and the next login asks for the code on a second step."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from mhu.extensions import db
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TABLET, browser_login, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_required_setup_then_login_with_a_code(live_server, page, make, console_errors):
    agency, _, people = make.unit()
    agency.mfa_required = True
    db.session.commit()
    officer = people["officer"]
    page.set_viewport_size(TABLET)
    outside = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(live_server) else None)

    browser_login(page, live_server, officer, PASSWORD)
    assert page.url.endswith("/account/mfa")
    expect(page.get_by_role("alert").filter(has_text="requires two-step sign-in")).to_be_visible()  # waits for the page the action leads to
    page.goto(f"{live_server}/field/")  # every other page sends the officer back here
    assert page.url.endswith("/account/mfa")
    assert_accessible(page, "two-step sign-in, not set up")

    page.get_by_role("button", name="Set up an authenticator app").click()
    page.locator("figure.qr svg").wait_for()
    assert len(page.locator(".recovery-codes li").all()) == 10
    secret = page.locator("code.secret").inner_text()
    assert_accessible(page, "two-step sign-in, QR code")
    screenshot(page, "mfa-setup")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/field/")
    expect(page.get_by_role("alert").filter(has_text="Two-step sign-in is on")).to_be_visible()  # waits for the page the action leads to
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    browser_login(page, live_server, officer, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()  # waits for the page the action leads to
    assert_accessible(page, "login code step")
    screenshot(page, "mfa-login-code")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))  # the setup used this step
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/field/")
    expect(page.get_by_role("link", name="New call").first).to_be_visible()  # waits for the page the action leads to
    assert outside == []
    assert console_errors == []


def test_a_wrong_code_keeps_the_user_out(live_server, page, make):
    _, _, people = make.unit()
    supervisor = people["supervisor"]
    browser_login(page, live_server, supervisor, PASSWORD)
    page.goto(f"{live_server}/account/mfa")
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    browser_login(page, live_server, supervisor, PASSWORD)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("alert").filter(has_text="not correct")).to_be_visible()  # waits for the page the action leads to
    assert page.request.get(f"{live_server}/api/v1/me").status == 401

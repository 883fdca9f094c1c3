"""The login form works in Chromium and lands each role on its home."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_logs_in_and_lands_on_admin_page(live_server, page, make, console_errors):
    _, _, people = make.unit()

    browser_login(page, live_server, people["admin"], PASSWORD)

    assert page.url.endswith("/admin/")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()  # waits for the page the action leads to
    screenshot(page, "admin-home")
    assert console_errors == []


def test_wrong_password_shows_message(live_server, page, make):
    _, _, people = make.unit()

    browser_login(page, live_server, people["admin"], "wrong password entirely")

    assert "/login" in page.url
    expect(page.get_by_role("alert")).to_be_visible()  # waits for the page the action leads to
def test_api_docs_render_from_local_assets(live_server, page, make, console_errors):
    _, _, people = make.unit()
    outside_requests = []
    page.on("request", lambda req: outside_requests.append(req.url) if not req.url.startswith(live_server) else None)
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    console_errors.clear()  # only the docs page is under test here

    page.goto(f"{live_server}/api/v1/docs")
    page.get_by_text("/api/v1/calls", exact=True).first.wait_for()

    screenshot(page, "api-docs")
    assert_accessible(page, "the API docs (Swagger UI)")
    assert outside_requests == []
    assert console_errors == []

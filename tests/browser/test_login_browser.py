"""The login form works in Chromium and lands each role on its home."""

import pytest

from tests.browser.conftest import browser_login, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_logs_in_and_lands_on_admin_page(live_server, page, make, console_errors):
    _, _, people = make.unit()

    browser_login(page, live_server, people["admin"], PASSWORD)

    assert page.url.endswith("/admin/")
    assert page.get_by_role("heading", name="Administration").is_visible()
    screenshot(page, "admin-home")
    assert console_errors == []


def test_wrong_password_shows_message(live_server, page, make):
    _, _, people = make.unit()

    browser_login(page, live_server, people["admin"], "wrong password entirely")

    assert "/login" in page.url
    assert page.get_by_role("alert").is_visible()

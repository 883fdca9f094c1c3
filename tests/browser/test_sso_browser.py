"""Single sign-on in Chromium: the login page's agency button, the provider on its own loopback
port, and back to the field home, signed in."""

import pytest
from playwright.sync_api import expect

from mhu.services import sso
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.support.oidc_provider import Provider

pytestmark = pytest.mark.browser


def test_officer_signs_in_through_the_agency_provider(live_server, page, make, console_errors):
    agency, _, people = make.unit()
    with Provider("mhu-browser", "browser-client-secret").serve() as provider:
        sso.configure(agency=agency, issuer=provider.url, client_id="mhu-browser",
                      client_secret="browser-client-secret")
        provider.person = {"sub": "browser-1", "email": people["officer"].email, "email_verified": True}

        page.goto(f"{live_server}/login")
        assert_accessible(page, "login page with single sign-on")
        page.get_by_role("link", name=f"Sign in with {agency.name}").click()
        page.wait_for_url(f"{live_server}/field/")

    expect(page.get_by_role("link", name="New call").first).to_be_visible()  # waits for the page the action leads to
    assert people["officer"].email in page.locator(".who").inner_text()
    screenshot(page, "sso-signed-in")
    assert console_errors == []

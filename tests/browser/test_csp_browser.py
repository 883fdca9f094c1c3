"""The Content-Security-Policy lets every page work in Chromium, without inline scripts or eval."""

import pytest

from tests.browser.conftest import browser_login
from tests.factories import PASSWORD, call_payload

pytestmark = pytest.mark.browser


def test_dashboard_and_pages_run_under_the_policy_without_violations(live_server, page, make, api):
    _, team, people = make.unit()
    for _ in range(3):
        api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=team.id))
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))

    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/outcomes")
    page.wait_for_load_state("networkidle")
    page.locator(".js-plotly-plot").first.wait_for(timeout=20_000)
    csp = page.evaluate("() => fetch('/dashboard/outcomes').then(r => r.headers.get('content-security-policy'))")

    plots = page.locator(".js-plotly-plot").count()
    page.goto(f"{live_server}/api/v1/docs")  # Swagger UI, served from our own static files
    page.locator(".opblock").first.wait_for(timeout=20_000)

    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    assert plots > 0
    assert violations == []


def test_plotly_png_download_works_under_the_policy(live_server, page, make, api):
    _, team, people = make.unit()
    api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=team.id))
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    browser_login(page, live_server, people["supervisor"], PASSWORD)
    page.goto(f"{live_server}/dashboard/operations?from=2026-03-01&to=2026-03-31")
    chart = page.locator("#ops-district .js-plotly-plot")
    chart.wait_for(timeout=60_000)

    chart.hover()
    with page.expect_download() as download_info:
        page.locator("#ops-district .modebar-btn[data-title='Download plot as a PNG']").click()

    assert download_info.value.suggested_filename.endswith(".png")
    assert download_info.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert violations == []

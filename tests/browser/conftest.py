"""Browser tests: the real app served on a loopback port, driven by Debian's Chromium.

Nothing here downloads a browser: Playwright launches /usr/bin/chromium (override with
MHU_CHROMIUM). A missing browser is a failure, not a skip.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MHU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TABLET = {"width": 800, "height": 1280}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium", pytrace=False)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Flags that keep Chromium off the (closed) network and usable as root in CI.
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught exceptions seen by the page; tests assert it stays empty."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, base_url: str, user, password: str) -> None:
    """Log in through the real login form."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def follow(page, link) -> None:
    """Click a link to another page and wait for that page: what the test reads next is the new page."""
    with page.expect_navigation():
        link.click()

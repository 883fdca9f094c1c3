"""Time a filter change in the browser: from choosing a team in the filter bar to every chart redrawn.

    .venv/bin/python bench/bench_browser.py [--calls N] [--seed S] [--repeat R] [--pg-schema S] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_browser.py      # SQLite and PostgreSQL

Uses the demo database of bench/_common.py (the SQLite file is kept and shared with the other
scale benchmarks; PostgreSQL when a server is named, in a throwaway or a kept schema). Serves the
app on a loopback port (one threaded server in this process), logs in through the login
form as the demo supervisor in Debian's Chromium (/usr/bin/chromium, or MHU_CHROMIUM), opens each
supervisor page of dashboards/site.py on the default view (12 months ending on the anchor day),
then picks the first team in the filter bar and waits until the URL carries it and every chart of
the new page is drawn. The time is what a commander waits: the request, the page's service calls,
the figures, and the drawing. Median of R changes per page (each from the default view). Prints a
table and appends it to bench/README.md ("Filter change in the browser"). Goal: under 2 s.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MHU_INSTANCE_PATH", tempfile.mkdtemp(prefix="mhu-bench-"))

from dateutil.relativedelta import relativedelta  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

import mhu  # noqa: E402,F401  (before dashboards: mhu imports the dashboard package)
from dashboards import site  # noqa: E402
from mhu.services.demo.generator import demo_users  # noqa: E402
from tests.support.live import serving  # noqa: E402
from bench._common import ANCHOR, PASSWORD, add_database_arguments, append_rows, machine, on_databases  # noqa: E402

END_MARKER = "<!-- /rows:browser -->"
GOAL_SECONDS = 2.0
CHROMIUM = os.environ.get("MHU_CHROMIUM", "/usr/bin/chromium")
CHARTS_DRAWN = (
    "() => !document.querySelector('#_pages_content [data-stale]') && "
    "[...document.querySelectorAll('#_pages_content .graph-slot')]"
    ".every(slot => slot.querySelector('.js-plotly-plot .main-svg'))"
)


def filter_change_seconds(page, url: str) -> float:
    """Open `url`, then time choosing the first team until the new page's charts are drawn."""
    page.goto(url)
    # The filter bar comes with the page's content: until then CHARTS_DRAWN holds vacuously.
    page.wait_for_selector("#f-team", timeout=180_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=180_000)
    # Mark what is on screen, so the wait below sees the page drawn again, not the old charts.
    page.evaluate("() => document.querySelectorAll('#_pages_content > *').forEach(e => e.setAttribute('data-stale', ''))")
    started = time.perf_counter()
    page.locator("#f-team").click()
    page.get_by_role("option").first.click()
    page.wait_for_url("**team_id=**", timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000)
    return time.perf_counter() - started


def measure(app, repeat: int, only: list[str] | None = None) -> list[tuple[str, float]]:
    """(page, median seconds) of a team filter change on every supervisor page with charts."""
    email = next(user for user in demo_users() if user.role == "supervisor").email
    last = ANCHOR.astimezone(ZoneInfo("America/Chicago")).date()
    query = f"from={(last - relativedelta(years=1) + timedelta(days=1)).isoformat()}&to={last.isoformat()}"
    results = []
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown the table
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("networkidle")
        for declared in site.PAGES:
            if declared.partner or declared.key in ("calls", "reports"):
                continue  # the partner view has no team filter; the list and reports draw no charts
            if only and declared.key not in only:
                continue
            url = f"{base}{declared.href}?{query}"
            filter_change_seconds(page, url)  # warm-up
            seconds = statistics.median(filter_change_seconds(page, url) for _ in range(repeat))
            results.append((declared.name, seconds))
            print(f"  {declared.name:24} {seconds:7.3f} s", flush=True)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, calls=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", help="comma-separated page keys of dashboards/site.py (default: every page with charts)")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()
    results = on_databases(args, lambda app, database: {"database": database,
                                                       "timings": measure(app, args.repeat, args.pages.split(",") if args.pages else None)})
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    host = machine()
    load = os.getloadavg()[0]
    lines = [f"| {stamp} | {result['database']} | {args.calls:,} | {name} | {seconds:.2f} | "
             f"{'ok' if seconds < GOAL_SECONDS else 'over 2 s'} | {load:.1f} | {host} |"
             for result in results for name, seconds in result["timings"]]
    print("| when (UTC) | database | calls | page | seconds (median) | goal < 2 s | load | host |")
    print("|---|---|---:|---|---:|---|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

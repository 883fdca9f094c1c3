"""Time every dashboard page at a given size: the whole build, its service time, and its SQL floor.

    .venv/bin/python bench/bench_pages.py [--calls N] [--seed S] [--repeat R] [--pages KEYS] [--pg-schema S] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_pages.py      # SQLite and PostgreSQL

Uses the demo database of bench/_common.py (N calls, default 100,000, seed 1, anchored on
2026-11-01; the SQLite file is generated once and kept, PostgreSQL in a throwaway or kept schema).
For each page declared in dashboards/site.py it calls the page's registered layout inside a request
as the demo supervisor (the partner view as the demo partner) for two views: the supervisor's
default (the 12 months ending on the anchor day, whole agency) and the same period filtered to one
team. Three numbers per page, medians of R runs after a warm-up:

- build: the whole layout, every service call plus figures and tables (what a page load or a
  filter change waits for on the server);
- service: the time inside mhu.services functions the page calls (outermost calls only);
- floor: the SQL those service calls sent, replayed through the database driver with its
  parameters and every row fetched, with no Python in between. The ratio service / floor is the
  cost of the layers above SQL. (The Overview's queries also have a hand-written floor in
  bench_overview.py; the facts tables the pages read were designed against those.)

Goal: service under 1 s and within 1.5x of the floor. Prints a table and appends it to
bench/README.md ("Pages").
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from functools import wraps
from pathlib import Path
from types import FunctionType, ModuleType
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MHU_INSTANCE_PATH", tempfile.mkdtemp(prefix="mhu-bench-"))

import dash  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from flask_login import login_user  # noqa: E402

import mhu  # noqa: E402,F401  (before dashboards: mhu imports the dashboard package)
from dashboards import site  # noqa: E402
from mhu.extensions import db  # noqa: E402
from mhu.models import Team  # noqa: E402
from mhu.services.demo.generator import demo_users  # noqa: E402
from bench._common import ANCHOR, add_database_arguments, append_rows, machine, on_databases  # noqa: E402

END_MARKER = "<!-- /rows:pages -->"
GOAL_SECONDS = 1.0
GOAL_RATIO = 1.5


class ServiceClock:
    """Time spent inside mhu.services functions called from the dashboard, and the SQL they send.

    Wraps every function of every mhu.services module the dashboard modules reference (and the
    service functions they imported by name); nested service calls count once, in the outermost.
    """

    def __init__(self):
        self.depth = 0
        self.seconds = 0.0
        self.statements: list[tuple[str, object]] = []
        self._patched: list[tuple[object, str, object]] = []

    def install(self) -> None:
        modules = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("dashboards") or module is None:
                continue
            for attribute, value in list(vars(module).items()):
                if isinstance(value, ModuleType) and value.__name__.startswith("mhu.services"):
                    modules[value.__name__] = value
                elif isinstance(value, FunctionType) and value.__module__.startswith("mhu.services"):
                    self._patch(module, attribute, value)
        for module in modules.values():
            for attribute, value in list(vars(module).items()):
                if isinstance(value, FunctionType) and not attribute.startswith("_"):
                    self._patch(module, attribute, value)
        sa.event.listen(db.engine, "before_cursor_execute", self._record)

    def uninstall(self) -> None:
        sa.event.remove(db.engine, "before_cursor_execute", self._record)
        for owner, attribute, original in reversed(self._patched):
            setattr(owner, attribute, original)
        self._patched.clear()

    def _patch(self, owner, attribute: str, function) -> None:
        if getattr(function, "__wrapped_by_clock__", False):
            return

        @wraps(function)
        def timed_call(*args, **kwargs):
            self.depth += 1
            started = time.perf_counter() if self.depth == 1 else None
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                if started is not None:
                    self.seconds += time.perf_counter() - started

        timed_call.__wrapped_by_clock__ = True
        self._patched.append((owner, attribute, function))
        setattr(owner, attribute, timed_call)

    def _record(self, connection, cursor, statement, parameters, context, executemany) -> None:
        # Reads only: a replayed write would change what the next run measures.
        if self.depth and not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))

    def reset(self) -> None:
        self.seconds = 0.0
        self.statements = []


def replay_seconds(statements) -> float:
    """Run these statements through the driver, fetching every row: the floor under the services."""
    connection = db.session.connection().connection.dbapi_connection
    cursor = connection.cursor()
    started = time.perf_counter()
    for statement, parameters in statements:
        cursor.execute(statement, parameters)
        cursor.fetchall()
    seconds = time.perf_counter() - started
    cursor.close()
    return seconds


def page_timings(app, repeat: int, only: list[str] | None = None) -> list[dict]:
    """For every declared page and both views: build, service and floor seconds (medians), CPU, statements."""
    users = {user.role: user for user in demo_users()}
    last = ANCHOR.astimezone(ZoneInfo("America/Chicago")).date()
    period = {"from": (last - relativedelta(years=1) + timedelta(days=1)).isoformat(), "to": last.isoformat()}
    team = db.session.scalar(sa.select(Team.id).where(Team.agency_id == users["supervisor"].agency_id)
                             .order_by(Team.id).limit(1))
    registry = {entry["path"]: entry["layout"] for entry in dash.page_registry.values()}
    clock = ServiceClock()
    clock.install()
    results = []
    try:
        for page in site.PAGES:
            if only and page.key not in only:
                continue
            user = users["partner" if page.partner else "supervisor"]
            extra = {"subset": "calls"} if page.key == "calls" else {}
            for view, query in (("default", period), ("one team", {**period, "team_id": str(team)})):
                if page.partner and view == "one team":
                    continue  # partners have no team filter

                def build(query=query, page=page, user=user, extra=extra):
                    with app.test_request_context(page.href):
                        login_user(user)
                        registry[page.path](**query, **extra)

                build()  # warm-up: caches, prepared plans
                walls, cpus, services, floors = [], [], [], []
                for _ in range(repeat):
                    db.session.rollback()
                    clock.reset()
                    started, started_cpu = time.perf_counter(), time.process_time()
                    build()
                    walls.append(time.perf_counter() - started)
                    cpus.append(time.process_time() - started_cpu)
                    services.append(clock.seconds)
                    db.session.rollback()
                    floors.append(replay_seconds(clock.statements))
                    db.session.rollback()
                row = {"page": page.name, "view": view, "build": statistics.median(walls),
                       "cpu": statistics.median(cpus), "service": statistics.median(services),
                       "floor": statistics.median(floors), "statements": len(clock.statements)}
                results.append(row)
                print(f"  {page.name:24} {view:9} build {row['build']:7.3f} s  service {row['service']:7.3f} s  "
                      f"floor {row['floor']:7.3f} s  ({row['statements']} statements, CPU {row['cpu']:.3f} s)",
                      flush=True)
    finally:
        clock.uninstall()
    return results


def verdict(row: dict) -> str:
    ratio = row["service"] / row["floor"] if row["floor"] else float("inf")
    problems = [f"over {GOAL_SECONDS:g} s"] if row["service"] >= GOAL_SECONDS else []
    if ratio > GOAL_RATIO and row["service"] >= 0.05:  # below 50 ms a ratio measures noise
        problems.append(f"over {GOAL_RATIO}x")
    return ", ".join(problems) or "ok"


def table(results: list[dict]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    host = machine()
    load = os.getloadavg()[0]
    lines = []
    for result in results:
        for row in result["timings"]:
            ratio = f"{row['service'] / row['floor']:.2f}" if row["floor"] else "–"
            lines.append(f"| {stamp} | {result['database']} | {result['calls']:,} | {row['page']} | {row['view']} | "
                         f"{row['build']:.3f} | {row['service']:.3f} | {row['floor']:.3f} | {ratio} | "
                         f"{row['statements']} | {row['cpu']:.3f} | {verdict(row)} | {load:.1f} | {host} |")
    return lines


HEADER = ("| when (UTC) | database | calls | page | view | build s | service s | SQL floor s | service / floor "
          "| statements | build CPU s | goal: service < 1 s, ≤ 1.5x floor | load | machine |\n"
          "|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, calls=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", help="comma-separated page keys of dashboards/site.py (default: every page)")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = on_databases(args, lambda app, database: {
        "database": database, "calls": args.calls, "timings": page_timings(app, args.repeat, args.pages.split(",") if args.pages else None)})
    lines = table(results)
    print(HEADER)
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

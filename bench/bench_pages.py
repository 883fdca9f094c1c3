"""Time every dashboard page's build (its service calls plus figures) at a given size.

    .venv/bin/python bench/bench_pages.py [--calls N] [--seed S] [--repeat R] [--db-dir DIR] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_pages.py      # SQLite and PostgreSQL

Generates N demo calls (default 100,000, seed 1, anchored like bench_overview.py on 2026-11-01)
into an SQLite file built by the migrations (kept in --db-dir and reused) and, when
MHU_TEST_DATABASE_URL or DATABASE_URL names PostgreSQL, into a throwaway schema there. Then, for
each page declared in dashboards/site.py, it calls the page's registered layout inside a request
as the demo supervisor (the partner view as the demo partner) for two views: the supervisor's
default (the 12 months ending on the anchor day, whole agency) and the same period filtered to
one team. The time is the whole layout: every service call of the page plus building its
figures and tables (what a filter change waits for on the server). Median of R runs after a
warm-up, wall time and this process's CPU time (see timed()). Prints a table and appends it to bench/README.md ("Pages").
"""

import argparse
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

import dash  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from flask_login import login_user  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from mhu import create_app  # noqa: E402  (before dashboards: mhu imports the dashboard package)
from dashboards import site  # noqa: E402
from mhu.extensions import db  # noqa: E402
from mhu.models import Team  # noqa: E402
from mhu.services.demo import generate_demo  # noqa: E402
from mhu.services.demo.generator import demo_users  # noqa: E402
from mhu.services.metrics import facts as metric_facts  # noqa: E402
from bench._common import append_rows, machine  # noqa: E402

END_MARKER = "<!-- /rows:pages -->"
ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
GOAL_SECONDS = 1.0
PASSWORD = "bench pages pass phrase"  # the demo users' (bench_browser.py logs in with it)


def timed(function, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeat` runs after a warm-up.

    On SQLite the queries run in this process, so its CPU time is close to what an idle machine's
    wall time would be; it keeps rows comparable when the shared VM is loaded. On PostgreSQL the
    server's share is not in it.
    """
    function()  # warm-up: caches, prepared plans
    walls, cpus = [], []
    for _ in range(repeat):
        db.session.rollback()
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus)


def page_timings(app, repeat: int) -> list[tuple[str, str, float]]:
    """(page, view, wall seconds, CPU seconds) for every declared page and both views."""
    users = {user.role: user for user in demo_users()}
    last = ANCHOR.astimezone(ZoneInfo("America/Chicago")).date()
    period = {"from": (last - relativedelta(years=1) + timedelta(days=1)).isoformat(), "to": last.isoformat()}
    team = db.session.scalar(sa.select(Team.id).where(Team.agency_id == users["supervisor"].agency_id)
                             .order_by(Team.id).limit(1))
    registry = {entry["path"]: entry["layout"] for entry in dash.page_registry.values()}
    results = []
    for page in site.PAGES:
        user = users["partner" if page.partner else "supervisor"]
        extra = {"subset": "calls"} if page.key == "calls" else {}
        for view, query in (("default", period), ("one team", {**period, "team_id": str(team)})):
            if page.partner and view == "one team":
                continue  # partners have no team filter

            def build(query=query, page=page, user=user, extra=extra):
                with app.test_request_context(page.href):
                    login_user(user)
                    registry[page.path](**query, **extra)

            results.append((page.name, view, *timed(build, repeat)))
            print(f"  {page.name:24} {view:9} {results[-1][2]:7.3f} s  (CPU {results[-1][3]:.3f} s)", flush=True)
    return results


def measure(label: str, url: str, calls: int, seed: int, repeat: int, *, generate: bool,
            engine_options: dict | None = None) -> dict:
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("development", **overrides)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if generate:
            started = time.perf_counter()
            generate_demo(calls=calls, seed=seed, now=ANCHOR, password=PASSWORD)
            print(f"{label}: generated {calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
        elif metric_facts.is_stale():
            metric_facts.rebuild()
            db.session.commit()
        dialect = db.session.get_bind().dialect.name
        db.session.commit()
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        version = db.session.execute(sa.text("SHOW server_version" if dialect == "postgresql"
                                             else "SELECT sqlite_version()")).scalar()
        print(f"{label} {version}, {calls:,} calls:", flush=True)
        timings = page_timings(app, repeat)
        db.session.remove()
        db.engine.dispose()
    name = f"PostgreSQL {version.split()[0]}" if dialect == "postgresql" else f"SQLite {version}"
    return {"database": name, "calls": calls, "timings": timings}


def sqlite_measure(calls: int, seed: int, repeat: int, db_dir: Path) -> dict:
    db_dir.mkdir(parents=True, exist_ok=True)
    path = db_dir / f"pages-{calls}-{seed}.sqlite3"
    if path.exists():
        return measure("SQLite", f"sqlite:///{path}", calls, seed, repeat, generate=False)
    partial = path.with_suffix(".partial")
    for leftover in db_dir.glob(partial.name + "*"):
        leftover.unlink()
    result = measure("SQLite", f"sqlite:///{partial}", calls, seed, repeat, generate=True)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(partial) + suffix)
        if source.exists():
            source.rename(str(path) + suffix)
    return result


def postgres_measure(url: str, calls: int, seed: int, repeat: int) -> dict:
    from config import database_url

    url = database_url(url)
    schema = f"bench_pages_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        return measure("PostgreSQL", url, calls, seed, repeat, generate=True,
                       engine_options={"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def table(results: list[dict]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    host = machine()
    load = os.getloadavg()[0]
    lines = []
    for result in results:
        for page, view, seconds, cpu in result["timings"]:
            verdict = "ok" if seconds < GOAL_SECONDS else "over 1 s"
            lines.append(f"| {stamp} | {result['database']} | {result['calls']:,} | {page} | {view} | "
                         f"{seconds:.3f} | {cpu:.3f} | {verdict} | {load:.1f} | {host} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "mhu-bench-pages")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = []
    if not args.skip_sqlite:
        results.append(sqlite_measure(args.calls, args.seed, args.repeat, args.db_dir))
    pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if pg_url and pg_url.startswith("postgres"):
        results.append(postgres_measure(pg_url, args.calls, args.seed, args.repeat))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
    lines = table(results)
    print("| when (UTC) | database | calls | page | view | seconds (median) | CPU s | goal < 1 s | load | machine |")
    print("|---|---|---:|---|---|---:|---:|---|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

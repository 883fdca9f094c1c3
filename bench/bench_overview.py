"""Time the dashboard Overview's metric queries at scale, against a hand-written raw-SQL floor.

    .venv/bin/python bench/bench_overview.py [--calls N] [--seed S] [--repeat R] [--db-dir DIR] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_overview.py      # SQLite and PostgreSQL

Generates N demo calls (default 1,000,000) with services/demo.py into an SQLite file built by the
migrations (kept in --db-dir, default /tmp/mhu-bench-overview, and reused when it exists: the
generator takes minutes at 1M) and, when MHU_TEST_DATABASE_URL or DATABASE_URL names PostgreSQL,
into a throwaway schema there (or a kept one: --pg-schema). A kept database from an older
checkout is migrated and its metric facts rebuilt first (timed). Then, for the supervisor's
default view (the 12 months ending on the generator's anchor day, whole agency), it times
`metrics.overview()` (everything the Overview page queries) and the same queries written by hand
as raw SQL on the same tables (the floor), R times each after one warm-up, and reports the
median. Appends rows to bench/README.md ("Overview").
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MHU_INSTANCE_PATH", tempfile.mkdtemp(prefix="mhu-bench-"))

import sqlalchemy as sa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from mhu import create_app  # noqa: E402
from mhu.extensions import db  # noqa: E402
from mhu.models import Agency  # noqa: E402
from mhu.services import metrics
from mhu.services.metrics import facts as metric_facts  # noqa: E402
from mhu.services.demo import generate_demo  # noqa: E402
from mhu.services.demo.vocab import AGENCY_NAME  # noqa: E402
from bench._common import append_rows, machine  # noqa: E402

END_MARKER = "<!-- /rows:overview -->"
# A fixed anchor so a kept SQLite file and a fresh PostgreSQL load hold the same rows.
ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)

# The Overview's queries by hand, on the same precomputed facts the services read
# (models/metric.py). {date} is the only dialect-specific part: SQLite's unary plus keeps its
# planner walking ix_call_fact_response in order instead of range-scanning by date and sorting.
DAYS = """
SELECT local_date, sum(calls), sum(located), sum(arrestable), sum(arrest_rate), sum(jail_diversion_rate),
       sum(diversion_from_arrest), sum(resolved_in_community), sum(ed_use), sum(emergency_detention_rate),
       sum(connection_to_services), sum(use_of_force_rate), sum(followups_due), sum(followups_on_time),
       sum(with_response)
FROM metric_total_day WHERE agency_id = :agency AND local_date BETWEEN :first AND :last
GROUP BY local_date ORDER BY local_date
"""
REPEAT = """
SELECT sum(CASE WHEN gap_seconds <= :window AND (previous_repeat_date IS NULL OR previous_repeat_date < :first)
                THEN 1 ELSE 0 END),
       sum(CASE WHEN previous_contact_date IS NULL OR previous_contact_date < :first THEN 1 ELSE 0 END)
FROM call_fact
WHERE agency_id = :agency AND local_date >= :first AND local_date <= :last AND contact_person_id IS NOT NULL
"""
RANK = """
SELECT response_seconds FROM call_fact
WHERE agency_id = :agency AND {date} >= :first AND {date} <= :last AND response_seconds IS NOT NULL
ORDER BY response_seconds {direction} LIMIT 2 OFFSET :offset
"""


def raw_overview(filters, dialect: str) -> dict:
    """The Overview's queries, by hand: both periods' day sums, repeat counts and response-time ranks."""
    from flask import current_app

    run = lambda sql, **params: db.session.execute(sa.text(sql), params).all()  # noqa: E731
    previous = filters.previous_period()
    days = run(DAYS, agency=filters.agency_id, first=previous.date_from, last=filters.date_to)
    result = {"days": days}
    for name, first, last in (("current", filters.date_from, filters.date_to),
                              ("previous", previous.date_from, previous.date_to)):
        params = {"agency": filters.agency_id, "first": first, "last": last}
        n = sum(row[-1] for row in days if first <= _as_date(row[0]) <= last)
        date = "+local_date" if dialect == "sqlite" else "local_date"
        low_median, low_p90 = (n - 1) * 50 // 100, (n - 1) * 90 // 100
        result[name] = [
            run(REPEAT, **params, window=current_app.config["REPEAT_WINDOW_DAYS"] * 86400),
            run(RANK.format(date=date, direction="ASC"), **params, offset=low_median),
            run(RANK.format(date=date, direction="DESC"), **params, offset=max(n - 2 - low_p90, 0)),
        ]
    return result


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def timed(function, repeat: int) -> float:
    function()  # warm-up: caches, prepared plans
    samples = []
    for _ in range(repeat):
        db.session.rollback()
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(label: str, url: str, calls: int, seed: int, repeat: int, *, generate: bool,
            engine_options: dict | None = None) -> dict:
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("development", **overrides)
    with app.app_context():
        # Always: a kept database from an older checkout gets the current schema (and its backfills).
        upgrade(directory=str(ROOT / "migrations"))
        if generate:
            started = time.perf_counter()
            generate_demo(calls=calls, seed=seed, now=ANCHOR, password="bench overview pass phrase")
            print(f"{label}: generated {calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
        elif metric_facts.is_stale():  # a kept database from before the facts (or their last change)
            started = time.perf_counter()
            metric_facts.rebuild()
            db.session.commit()
            print(f"{label}: metric facts rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        dialect = db.session.get_bind().dialect.name
        # Fresh statistics, as after any bulk load; on PostgreSQL also the visibility map that
        # index-only scans need (autovacuum's job on a live server).
        db.session.commit()
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == AGENCY_NAME))
        last = ANCHOR.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago")).date()
        filters = metrics.MetricFilters(agency_id=agency, date_from=last - relativedelta(years=1) + timedelta(days=1),
                                        date_to=last)
        in_period = metrics.call_volume(filters=filters)
        # The floor must compute the same numbers, or it is no floor.
        by_hand, shown = raw_overview(filters, dialect), metrics.overview(filters=filters)
        repeat_rate = shown["current"]["repeat_contact_rate"]
        assert tuple(by_hand["current"][0][0]) == (repeat_rate["numerator"], repeat_rate["denominator"]), by_hand
        assert float(by_hand["current"][1][0][0]) <= shown["current"]["response_time"]["median_seconds"] \
            <= float(by_hand["current"][1][-1][0]), by_hand
        service = timed(lambda: metrics.overview(filters=filters), repeat)
        floor = timed(lambda: raw_overview(filters, dialect), repeat)
        version = db.session.execute(sa.text("SHOW server_version" if dialect == "postgresql"
                                             else "SELECT sqlite_version()")).scalar()
        db.session.remove()
        db.engine.dispose()
    name = f"PostgreSQL {version.split()[0]}" if dialect == "postgresql" else f"SQLite {version} (file)"
    return {"database": name, "calls": calls, "in_period": in_period, "service": service, "floor": floor}


def sqlite_measure(calls: int, seed: int, repeat: int, db_dir: Path) -> dict:
    db_dir.mkdir(parents=True, exist_ok=True)
    path = db_dir / f"overview-{calls}-{seed}.sqlite3"
    generate = not path.exists()
    if generate:
        partial = path.with_suffix(".partial")
        for leftover in db_dir.glob(partial.name + "*"):
            leftover.unlink()
        result = measure("SQLite", f"sqlite:///{partial}", calls, seed, repeat, generate=True)
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(partial) + suffix)
            if source.exists():
                source.rename(str(path) + suffix)
        return result
    return measure("SQLite", f"sqlite:///{path}", calls, seed, repeat, generate=False)


def postgres_measure(url: str, calls: int, seed: int, repeat: int, keep_schema: str | None = None) -> dict:
    """Measure in a throwaway schema, or in `keep_schema` (generated once, kept and reused)."""
    from config import database_url

    url = database_url(url)
    schema = keep_schema or f"bench_overview_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        exists = connection.execute(sa.text(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'call'"), {"s": schema}
        ).first() is not None
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    try:
        return measure("PostgreSQL", url, calls, seed, repeat, generate=not exists,
                       engine_options={"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        if keep_schema is None:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def rows(results: list[dict]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    host = machine()
    return [
        f"| {stamp} | {r['database']} | {r['calls']:,} | {r['in_period']:,} | {r['service']:.3f} | "
        f"{r['floor']:.3f} | {r['service'] / r['floor']:.2f} | {host} |"
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "mhu-bench-overview")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pg-schema", help="keep the PostgreSQL data in this schema and reuse it next time "
                        "(the generator takes tens of minutes at 1M); default: a throwaway schema")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = []
    if not args.skip_sqlite:
        results.append(sqlite_measure(args.calls, args.seed, args.repeat, args.db_dir))
        print(rows(results[-1:])[0], flush=True)
    pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if pg_url and pg_url.startswith("postgres"):
        results.append(postgres_measure(pg_url, args.calls, args.seed, args.repeat, args.pg_schema))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
    lines = rows(results)
    print("| when (UTC) | database | calls | calls in period | overview s (median) | raw-SQL floor s | ratio | machine |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

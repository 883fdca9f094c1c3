"""Time the dashboard Overview's metric queries at scale, against a hand-written raw-SQL floor.

    .venv/bin/python bench/bench_overview.py [--calls N] [--seed S] [--repeat R] [--db-dir DIR] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_overview.py      # SQLite and PostgreSQL

Generates N demo calls (default 1,000,000) with services/demo.py into an SQLite file built by the
migrations (kept in --db-dir, default /tmp/mhu-bench-overview, and reused when it exists: the
generator takes minutes at 1M) and, when MHU_TEST_DATABASE_URL or DATABASE_URL names PostgreSQL,
into a throwaway schema there. Then, for the supervisor's default view (the 12 months ending on
the generator's anchor day, whole agency), it times `metrics.overview()` (everything the Overview
page queries) and the same queries written by hand as raw SQL (RAW below), R times each after one
warm-up, and reports the median. Appends rows to bench/README.md ("Overview").
"""

import argparse
import os
import platform
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
from mhu.services import metrics  # noqa: E402
from mhu.services.metrics_sql import utc_bounds  # noqa: E402
from mhu.services.demo import generate_demo  # noqa: E402
from mhu.services.demo_vocab import AGENCY_NAME  # noqa: E402

README = ROOT / "bench" / "README.md"
END_MARKER = "<!-- /rows:overview -->"
# A fixed anchor so a kept SQLite file and a fresh PostgreSQL load hold the same rows.
ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)

# The Overview's queries by hand. {dur(a, b)} is the only dialect-specific part.
RATES = """
SELECT count(*) AS volume,
  sum(CASE WHEN located AND disposition = 'arrest' THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND coalesce(disposition, '') NOT IN ('arrest', 'citation_or_summons') THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND arrestable_offense <> 'none'
           AND coalesce(disposition, '') NOT IN ('arrest', 'citation_or_summons') THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND arrestable_offense <> 'none' THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND disposition IN ('resolved_on_scene', 'resolved_with_referral', 'resources_declined',
      'notified_provider_or_family', 'handoff_mobile_crisis', 'voluntary_transport_crisis_facility',
      'courtesy_transport') THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND disposition IN ('voluntary_transport_ed', 'emergency_detention',
      'ems_medical_transport') THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND disposition = 'emergency_detention' THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND EXISTS (SELECT 1 FROM referral r WHERE r.call_id = c.id) THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND force_level IN ('physical_control', 'less_lethal', 'deadly_force') THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND EXISTS (SELECT 1 FROM call_injury i WHERE i.call_id = c.id
      AND i.severity IN ('minor', 'moderate', 'serious', 'death')) THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND cit_officer_on_scene THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND initial_call_type IS NOT NULL AND final_call_type IS NOT NULL
      AND initial_call_type <> final_call_type THEN 1 ELSE 0 END),
  sum(CASE WHEN located AND initial_call_type IS NOT NULL AND final_call_type IS NOT NULL THEN 1 ELSE 0 END),
  sum(CASE WHEN located THEN 1 ELSE 0 END) {group_select}
FROM (SELECT call.*, coalesce(disposition, '') <> 'unable_to_locate' AS located FROM call
      WHERE agency_id = :agency AND voided_at IS NULL AND local_date BETWEEN :first AND :last) c
{group_by}
"""
REPEAT = """
SELECT count(DISTINCT CASE WHEN prev IS NOT NULL AND {dur(prev, received_at)} <= :window THEN person_id END),
       count(DISTINCT person_id),
       sum(CASE WHEN prev IS NOT NULL AND {dur(prev, received_at)} <= :window THEN 1 ELSE 0 END), count(*)
FROM (SELECT person_id, received_at, local_date,
             lag(received_at) OVER (PARTITION BY person_id ORDER BY received_at, id) AS prev
      FROM call WHERE agency_id = :agency AND voided_at IS NULL AND person_id IS NOT NULL
        AND coalesce(disposition, '') <> 'unable_to_locate' AND local_date BETWEEN :lookback AND :last) h
WHERE local_date BETWEEN :first AND :last
"""
UTILIZERS = """
SELECT count(*) FROM (SELECT person_id FROM call
  WHERE agency_id = :agency AND voided_at IS NULL AND person_id IS NOT NULL
    AND coalesce(disposition, '') <> 'unable_to_locate' AND local_date BETWEEN :year_first AND :last
  GROUP BY person_id HAVING count(*) >= :threshold) u
"""
TIMELY = """
SELECT sum(CASE WHEN f.first_attempt_at IS NOT NULL
                 AND {dur(coalesce(c.cleared_at, c.received_at), f.first_attempt_at)} <= :due THEN 1 ELSE 0 END),
       count(*)
FROM followup f JOIN call c ON c.id = f.call_id
WHERE f.agency_id = :agency AND c.agency_id = :agency AND c.voided_at IS NULL AND f.due_at >= :start AND f.due_at < :end
"""
COMPLETION = """
SELECT sum(CASE WHEN f.outcome IN ('reached_engaged', 'linked_appointment_kept') THEN 1 ELSE 0 END), count(*)
FROM followup f JOIN call c ON c.id = f.call_id
WHERE f.agency_id = :agency AND c.agency_id = :agency AND c.voided_at IS NULL AND f.closed_at >= :start AND f.closed_at < :end
"""
RECRISIS = """
SELECT count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM call l WHERE l.person_id = c.person_id
         AND l.voided_at IS NULL AND coalesce(l.disposition, '') <> 'unable_to_locate'
         AND l.received_at > f.closed_at AND {dur(f.closed_at, l.received_at)} <= 2592000) THEN c.person_id END),
       count(DISTINCT c.person_id)
FROM followup f JOIN call c ON c.id = f.call_id
WHERE f.agency_id = :agency AND c.agency_id = :agency AND c.voided_at IS NULL AND f.closed_at >= :start AND f.closed_at < :end
  AND f.outcome IN ('reached_engaged', 'linked_appointment_kept') AND c.person_id IS NOT NULL
"""
PERCENTILES = """
SELECT rn, n, v FROM (
  SELECT v, row_number() OVER (ORDER BY v) AS rn, count(*) OVER () AS n FROM (
    SELECT {dur(START, END)} AS v FROM call WHERE agency_id = :agency AND voided_at IS NULL
      AND local_date BETWEEN :first AND :last AND START IS NOT NULL AND END IS NOT NULL) d) r
WHERE rn IN ((n - 1) * 50 / 100 + 1, (n - 1) * 50 / 100 + 2, (n - 1) * 90 / 100 + 1, (n - 1) * 90 / 100 + 2)
"""


def dialect_sql(sql: str, dialect: str) -> str:
    """Fill in the two dialect-specific expressions of the raw queries."""
    import re

    def duration(match):
        a, b = _split_args(match.group(1))
        if dialect == "postgresql":
            return f"round(extract(epoch from ({b}) - ({a})))"
        return f"round((julianday({b}) - julianday({a})) * 86400.0)"

    return re.sub(r"\{dur\((.*?)\)\}", duration, sql)


def _split_args(text: str) -> tuple[str, str]:
    depth = 0
    for i, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            return text[:i].strip(), text[i + 1:].strip()
    raise ValueError(text)


def raw_overview(filters, dialect: str) -> dict:
    """The Overview's queries, by hand: this period's metrics, the previous period's, the monthly series."""
    from flask import current_app

    config = current_app.config
    run = lambda sql, **params: db.session.execute(sa.text(dialect_sql(sql, dialect)), params).all()  # noqa: E731

    def period(first: date, last: date, full: bool) -> list:
        tz_start, tz_end = utc_bounds(filters.with_dates(first, last))
        base = {"agency": filters.agency_id, "first": first, "last": last}
        window = {"window": config["REPEAT_WINDOW_DAYS"] * 86400,
                  "lookback": first - timedelta(days=config["REPEAT_WINDOW_DAYS"] + 1)}
        stamps = {"agency": filters.agency_id, "start": _bind(tz_start, dialect), "end": _bind(tz_end, dialect)}
        out = [run(REPEAT, **base, **window),
               run(TIMELY, **stamps, due=config["FOLLOWUP_DUE_HOURS"] * 3600),
               run(PERCENTILES.replace("START", "dispatched_at").replace("END", "arrived_at"), **base)]
        if full:
            out += [run(UTILIZERS, **base, year_first=last - relativedelta(years=1) + timedelta(days=1),
                        threshold=config["HIGH_UTILIZER_THRESHOLD"]),
                    run(COMPLETION, **stamps), run(RECRISIS, **stamps),
                    run(PERCENTILES.replace("START", "arrived_at").replace("END", "cleared_at"), **base)]
        return out

    previous = filters.previous_period()
    # Both periods' call-based rates and the monthly series: one scan grouped by local day.
    days = run(RATES.format(group_select=", local_date", group_by="GROUP BY local_date"),
               agency=filters.agency_id, first=previous.date_from, last=filters.date_to)
    return {
        "days": days,
        "current": period(filters.date_from, filters.date_to, True),
        "previous": period(previous.date_from, previous.date_to, False),
    }


def _bind(moment: datetime, dialect: str):
    # SQLite stores UTCDateTime as naive UTC text; raw SQL must compare in the same form.
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if dialect == "sqlite" else moment


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
        if generate:
            upgrade(directory=str(ROOT / "migrations"))
            started = time.perf_counter()
            generate_demo(calls=calls, seed=seed, now=ANCHOR, password="bench overview pass phrase")
            print(f"{label}: generated {calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
        dialect = db.session.get_bind().dialect.name
        db.session.execute(sa.text("ANALYZE"))  # fresh statistics, as after any bulk load
        db.session.commit()
        agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == AGENCY_NAME))
        last = ANCHOR.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago")).date()
        filters = metrics.MetricFilters(agency_id=agency, date_from=last - relativedelta(years=1) + timedelta(days=1),
                                        date_to=last)
        in_period = metrics.call_volume(filters=filters)
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


def postgres_measure(url: str, calls: int, seed: int, repeat: int) -> dict:
    from config import database_url

    url = database_url(url)
    schema = f"bench_overview_{os.getpid()}"
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


def rows(results: list[dict]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    return [
        f"| {stamp} | {r['database']} | {r['calls']:,} | {r['in_period']:,} | {r['service']:.3f} | "
        f"{r['floor']:.3f} | {r['service'] / r['floor']:.2f} | {machine} |"
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "mhu-bench-overview")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = []
    if not args.skip_sqlite:
        results.append(sqlite_measure(args.calls, args.seed, args.repeat, args.db_dir))
        print(rows(results[-1:])[0], flush=True)
    pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if pg_url and pg_url.startswith("postgres"):
        results.append(postgres_measure(pg_url, args.calls, args.seed, args.repeat))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
    lines = rows(results)
    print("| when (UTC) | database | calls | calls in period | overview s (median) | raw-SQL floor s | ratio | machine |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        text = README.read_text()
        if END_MARKER not in text:
            raise SystemExit(f"{README} has no {END_MARKER} marker; not appending")
        README.write_text(text.replace(END_MARKER, "\n".join(lines) + "\n" + END_MARKER))
        print(f"appended to {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

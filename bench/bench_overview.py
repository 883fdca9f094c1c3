"""Time the dashboard Overview's metric queries at scale, against a hand-written raw-SQL floor.

    .venv/bin/python bench/bench_overview.py [--calls N] [--seed S] [--repeat R] [--db-dir DIR] [--pg-schema S] [--no-append]
    scripts/pg.sh .venv/bin/python bench/bench_overview.py      # SQLite and PostgreSQL

Uses the demo database of bench/_common.py (N calls, default 1,000,000: the SQLite file is
generated once and kept in --db-dir; on PostgreSQL, when MHU_TEST_DATABASE_URL or DATABASE_URL
names a server, a throwaway schema or a kept one with --pg-schema). A kept database from an older
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
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MHU_INSTANCE_PATH", tempfile.mkdtemp(prefix="mhu-bench-"))

import sqlalchemy as sa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402

from mhu.extensions import db  # noqa: E402
from mhu.models import Agency  # noqa: E402
from mhu.services import metrics  # noqa: E402
from mhu.services.demo.vocab import AGENCY_NAME  # noqa: E402
from bench._common import ANCHOR, add_database_arguments, append_rows, machine, on_databases  # noqa: E402

END_MARKER = "<!-- /rows:overview -->"

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


def measure(app, database: str, repeat: int) -> dict:
    """Time metrics.overview() and its raw-SQL floor on the demo agency's default view."""
    dialect = db.session.get_bind().dialect.name
    agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == AGENCY_NAME))
    last = ANCHOR.astimezone(ZoneInfo("America/Chicago")).date()
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
    return {"database": database, "in_period": in_period, "service": service, "floor": floor}


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
    add_database_arguments(parser, calls=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = on_databases(args, lambda app, database: {
        **measure(app, database, args.repeat), "calls": args.calls})
    lines = rows(results)
    print("| when (UTC) | database | calls | calls in period | overview s (median) | raw-SQL floor s | ratio | machine |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

"""Time the quarterly command report at scale: the numbers (service), the HTML, and the PDF.

    .venv/bin/python bench/report_bench.py [--calls N] [--seed S] [--repeat R] [--period 2026-Q3] [--no-append]
    scripts/pg.sh .venv/bin/python bench/report_bench.py       # SQLite and PostgreSQL

Uses the demo database of bench/_common.py (N calls, default 100,000, seed 1, anchored on
2026-11-01: the SQLite file generated once and kept in --db-dir; on PostgreSQL, when
MHU_TEST_DATABASE_URL or DATABASE_URL names a server, a throwaway schema or a kept one with
--pg-schema). Then for the demo agency it times
`command_report()` for the period (every number of the report, three periods compared, 13 months
of trends), `render_html()` on its result (template and SVG charts) and `render_pdf()` (headless
Chromium, browser start included): the median of R runs after one warm-up (the PDF: of
max(1, R // 2) runs). Appends rows to bench/README.md ("Command report").
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MHU_INSTANCE_PATH", tempfile.mkdtemp(prefix="mhu-bench-"))

import sqlalchemy as sa  # noqa: E402

from mhu.extensions import db  # noqa: E402
from mhu.models import Agency  # noqa: E402
from mhu.reports import render_html, render_pdf  # noqa: E402
from mhu.services import metrics  # noqa: E402
from mhu.services.demo.vocab import AGENCY_NAME  # noqa: E402
from mhu.services.reports import command_report, parse_period  # noqa: E402
from bench._common import add_database_arguments, append_rows, machine, on_databases  # noqa: E402

END_MARKER = "<!-- /rows:report -->"


def timed(function, repeat: int) -> tuple[float, object]:
    result = function()  # warm-up
    samples = []
    for _ in range(repeat):
        db.session.rollback()
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def measure(app, database: str, args) -> dict:
    """Time the demo agency's command report for the period: numbers, HTML, PDF."""
    agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == AGENCY_NAME))
    period = parse_period(args.period)
    in_period = metrics.call_volume(filters=metrics.MetricFilters(agency, period.first, period.last))
    service, report = timed(lambda: command_report(agency_id=agency, period=period), args.repeat)
    html, _ = timed(lambda: render_html(report, inline_css=True), args.repeat)
    pdf, body = timed(lambda: render_pdf(report), max(1, args.repeat // 2))
    return {"database": database, "calls": args.calls, "period": period.key, "in_period": in_period,
            "service": service, "html": html, "pdf": pdf, "pdf_kb": len(body) / 1024}


def rows(results: list[dict]) -> list[str]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    host = machine()
    load = os.getloadavg()[0]
    return [
        f"| {stamp} | {r['database']} | {r['calls']:,} | {r['period']} | {r['in_period']:,} | {r['service']:.2f} | "
        f"{r['html']:.2f} | {r['service'] + r['html']:.2f} | {r['pdf']:.2f} | {r['pdf_kb']:.0f} | {load:.1f} | "
        f"{host} |"
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, calls=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = on_databases(args, lambda app, database: measure(app, database, args))
    lines = rows(results)
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

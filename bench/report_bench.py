"""Time the quarterly command report at scale: the numbers (service), the HTML, and the PDF.

    .venv/bin/python bench/report_bench.py [--calls N] [--seed S] [--repeat R] [--period 2026-Q3] [--no-append]
    scripts/pg.sh .venv/bin/python bench/report_bench.py       # SQLite and PostgreSQL

Generates N demo calls (default 100,000, seed 1, anchored on 2026-11-01 like bench_overview.py)
with mhu.services.demo into an SQLite file built by the migrations (kept in --db-dir, default
/tmp/mhu-bench-report, and reused when it exists) and, when MHU_TEST_DATABASE_URL or
DATABASE_URL names PostgreSQL, into a throwaway schema there. Then for the demo agency it times
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
from flask_migrate import upgrade  # noqa: E402

from mhu import create_app  # noqa: E402
from mhu.extensions import db  # noqa: E402
from mhu.models import Agency  # noqa: E402
from mhu.reports import render_html, render_pdf  # noqa: E402
from mhu.services import metrics  # noqa: E402
from mhu.services.demo import generate_demo  # noqa: E402
from mhu.services.demo.vocab import AGENCY_NAME  # noqa: E402
from mhu.services.reports import command_report, parse_period  # noqa: E402
from bench._common import append_rows, machine  # noqa: E402

END_MARKER = "<!-- /rows:report -->"
ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def timed(function, repeat: int) -> tuple[float, object]:
    result = function()  # warm-up
    samples = []
    for _ in range(repeat):
        db.session.rollback()
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def measure(url: str, calls: int, seed: int, repeat: int, period_text: str, *, generate: bool,
            engine_options: dict | None = None) -> dict:
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("development", **overrides)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if generate:
            started = time.perf_counter()
            generate_demo(calls=calls, seed=seed, now=ANCHOR, password="bench report pass phrase")
            print(f"generated {calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.commit()
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == AGENCY_NAME))
        period = parse_period(period_text)
        in_period = metrics.call_volume(filters=metrics.MetricFilters(agency, period.first, period.last))
        service, report = timed(lambda: command_report(agency_id=agency, period=period), repeat)
        html, _ = timed(lambda: render_html(report, inline_css=True), repeat)
        pdf, body = timed(lambda: render_pdf(report), max(1, repeat // 2))
        version = db.session.execute(sa.text("SHOW server_version" if dialect == "postgresql"
                                             else "SELECT sqlite_version()")).scalar()
        db.session.remove()
        db.engine.dispose()
    name = f"PostgreSQL {version.split()[0]}" if dialect == "postgresql" else f"SQLite {version} (file)"
    return {"database": name, "calls": calls, "period": period.key, "in_period": in_period, "service": service,
            "html": html, "pdf": pdf, "pdf_kb": len(body) / 1024}


def sqlite_measure(args) -> dict:
    args.db_dir.mkdir(parents=True, exist_ok=True)
    path = args.db_dir / f"report-{args.calls}-{args.seed}.sqlite3"
    generate = not path.exists()
    target = path.with_suffix(".partial") if generate else path
    result = measure(f"sqlite:///{target}", args.calls, args.seed, args.repeat, args.period, generate=generate)
    if generate:
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(target) + suffix)
            if source.exists():
                source.rename(str(path) + suffix)
    return result


def postgres_measure(url: str, args) -> dict:
    from config import database_url

    url = database_url(url)
    schema = f"bench_report_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        return measure(url, args.calls, args.seed, args.repeat, args.period, generate=True,
                       engine_options={"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "mhu-bench-report")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = []
    if not args.skip_sqlite:
        results.append(sqlite_measure(args))
        print(rows(results[-1:])[0], flush=True)
    pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if pg_url and pg_url.startswith("postgres"):
        results.append(postgres_measure(pg_url, args))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
    lines = rows(results)
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

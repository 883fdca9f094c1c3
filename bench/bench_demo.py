"""Time the demo generator: N calls (default 100,000) into a fresh database.

    .venv/bin/python bench/bench_demo.py [--calls N] [--seed S] [--no-append]

Runs on a fresh SQLite file, and also on PostgreSQL when MHU_TEST_DATABASE_URL or DATABASE_URL
is set (in a throwaway schema that is dropped afterwards, so existing data is never touched):
    scripts/pg.sh .venv/bin/python bench/bench_demo.py
Prints a table and appends its rows to bench/README.md ("Demo generation").
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Before config is imported: the local secret and any instance files go to a throwaway place.
os.environ["MHU_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mhu-bench-")

import sqlalchemy as sa  # noqa: E402

from mhu.services.demo import generate_demo  # noqa: E402
from bench._common import append_rows, machine, migrated_app  # noqa: E402

END_MARKER = "<!-- /rows:demo -->"
PASSWORD = "bench demo pass phrase"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(label: str, url: str, calls: int, seed: int, engine_options: dict | None = None) -> dict:
    """Migrate an empty database, generate the demo into it, and time the generation."""
    with migrated_app(url, engine_options):
        load = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = generate_demo(calls=calls, seed=seed, password=PASSWORD)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rows = sum(summary[k] for k in ("calls", "persons", "referrals", "followups", "attempts"))
    return {
        "database": label, "calls": calls, "rows": rows, "seconds": round(seconds, 1),
        "rate": round(calls / seconds), "cpu": round(cpu, 1), "rss": peak_rss_mb(),
        "load": f"{load:.1f}",
    }


def sqlite_run(calls: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="mhu-bench-db-") as directory:
        return run("SQLite (file, WAL)", f"sqlite:///{directory}/bench.sqlite3", calls, seed)


def postgres_run(url: str, calls: int, seed: int) -> dict:
    from config import database_url

    os.environ["DATABASE_URL"] = url
    url = database_url(url)
    schema = f"bench_demo_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        version = connection.execute(sa.text("SHOW server_version")).scalar()
    try:
        return run(f"PostgreSQL {version.split()[0]}", url, calls, seed,
                   {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def table(results: list[dict], stamp: str) -> list[str]:
    host = machine()
    return [
        f"| {stamp} | {r['database']} | {r['calls']:,} | {r['rows']:,} | {r['seconds']} | "
        f"{r['rate']:,} | {r['cpu']} | {r['rss']} | {r['load']} | {host} |"
        for r in results
    ]




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    results = [sqlite_run(args.calls, args.seed)]
    pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if pg_url and pg_url.startswith("postgres"):
        results.append(postgres_run(pg_url, args.calls, args.seed))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    lines = table(results, stamp)
    print("| when (UTC) | database | calls | rows | seconds | calls/s | CPU s | peak RSS MB | load | machine |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

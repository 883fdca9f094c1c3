"""Time the file import: a generated N-row CSV (default 1,000,000) into a fresh database.

    .venv/bin/python bench/import_bench.py [--rows N] [--order random|time] [--no-append]
    scripts/pg.sh .venv/bin/python bench/import_bench.py        # SQLite, then PostgreSQL

The CSV looks like a county CAD export (ISO times, dispositions and reasons as labels to map,
a date + time pair, placeholders); the profile maps it as docs/import/README.md describes. Its
rows are in random time order by default (incident numbers ascending, times drawn over three
years: the worst case for the time indexes); `--order time` writes them in time order, as an
export sorted by incident number comes. Each
database runs in its own process (so peak RSS is that run's), through the same code path as
`flask import-calls`: mapping, bulk writes in 10,000-row chunks, the per-call facts and the day
sums once at the end. Nothing is tuned for the bench: the app's own SQLite settings (WAL,
synchronous FULL by default) and PostgreSQL defaults of scripts/pg.sh.
Prints a table and appends its rows to bench/README.md ("Import").
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import append_rows, machine  # noqa: E402
END_MARKER = "<!-- /rows:import -->"
HEADER = ("| when (UTC) | database | rows | created | rejected | seconds | rows/s | CPU s | server CPU s | chunks s | "
          "facts s | day sums s | peak RSS MB | load | machine |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
DISPOSITIONS = {"Remained in community": "resolved_on_scene", "Referred": "resolved_with_referral",
                "Declined": "resources_declined", "Transported to crisis center": "voluntary_transport_crisis_facility",
                "Transported to ED": "voluntary_transport_ed", "Emergency hold": "emergency_detention",
                "Arrest": "arrest", "Unable to locate": "unable_to_locate", "Cancelled": "cancelled_before_arrival"}
REASONS = {"Paranoia": "psychotic_symptoms", "Suicidal": "suicidal_ideation", "Intoxicated": "substance_use",
           "Depressed": "mood_disorder", "Dementia": "cognitive_or_dementia"}
PROFILE = {
    "version": 1, "name": "Bench CAD export", "timezone": "America/Chicago", "key": ["Incident"],
    "duplicate_keys": "first", "datetime_formats": ["%m/%d/%Y %H:%M"],
    "null_values": ["", "NULL", "1900-01-01"], "invalid_times": "clear",
    "fields": {
        "incident_number": {"column": "Incident"},
        "received_at": {"column": ["Received", "Dispatched"]},
        "dispatched_at": {"column": "Dispatched"},
        "arrived_at": {"column": "Arrived"},
        "cleared_at": {"date_column": "Clear Date", "time_column": "Clear Time"},
        "call_source": {"column": "Source", "map": {"E911": "911", "Officer": "officer_request", "988": "988_transfer"},
                        "default": "non_emergency"},
        "nature": {"value": "mh_crisis"},
        "district": {"column": "District"},
        "beat": {"column": "Beat"},
        "address": {"column": "Address"},
        "presenting_problems": {"column": ["Reason 1", "Reason 2"], "map": REASONS, "default": "unknown"},
        "cit_officer_on_scene": {"column": "CIT"},
        "disposition": {"column": "Outcome", "map": DISPOSITIONS},
    },
}


def generate(path: Path, rows: int, seed: int = 1, order: str = "random") -> None:
    """Write the CSV, streamed: about 1 % bad rows (unmapped outcome), times over three years.
    `order`: "random" (each row's time drawn anew: the worst case for the time indexes) or
    "time" (ascending times, as a CAD export sorted by incident number comes)."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    outcomes = [*DISPOSITIONS, "Jail"]
    weights = [40, 20, 8, 6, 8, 8, 4, 3, 2, 1]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Incident", "Received", "Dispatched", "Arrived", "Clear Date", "Clear Time", "Source",
                         "District", "Beat", "Address", "Reason 1", "Reason 2", "CIT", "Outcome"])
        span = 3 * 365 * 86400
        elapsed = 0.0
        for n in range(rows):
            if order == "time":  # gaps of a Poisson process with the same three-year span
                elapsed += rng.expovariate(rows / span)
                received = start + timedelta(seconds=int(elapsed))
            else:
                received = start + timedelta(seconds=rng.randrange(span))
            dispatched = received + timedelta(seconds=rng.randrange(30, 600))
            arrived = dispatched + timedelta(seconds=rng.randrange(120, 1800))
            cleared = arrived + timedelta(seconds=rng.randrange(600, 7200))
            district = rng.choice("NSEWC")
            writer.writerow([
                f"C{n:08d}", received.strftime("%Y-%m-%d %H:%M:%S"), dispatched.strftime("%m/%d/%Y %H:%M"),
                arrived.isoformat(), cleared.strftime("%Y-%m-%d"), cleared.strftime("%H:%M:%S"),
                rng.choice(("E911", "E911", "E911", "Officer", "988", "Walk-in")), district,
                f"{district}{rng.randrange(1, 6)}", f"{rng.randrange(1, 9999)} Main St",
                rng.choice((*REASONS, "Anxious", "")), rng.choice(("", "", "Intoxicated", "Paranoia")),
                rng.choice(("Y", "N", "yes", "no")), rng.choices(outcomes, weights)[0],
            ])


def peak_rss_mb() -> float:
    """The larger peak of this process and of the mapping process it forked (each has its own)."""
    return round(max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
                 / 1024, 1)


def cpu_seconds() -> float:
    """CPU of this process and of its ended children (the mapping process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _time_phase(owner, name: str, timings: dict, phase: str) -> None:
    """Wrap owner.name so the seconds spent in it add up in timings[phase]."""
    function = getattr(owner, name)

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[phase] += time.perf_counter() - began

    setattr(owner, name, timed)


def _server_process(db):
    """For PostgreSQL on this machine: a function giving the CPU seconds the session's server
    process has used (the import runs on one pooled connection), None on SQLite."""
    if db.engine.dialect.name != "postgresql":
        return None
    import sqlalchemy as sa

    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return round((int(fields[11]) + int(fields[12])) / ticks, 1)  # utime + stime

    return cpu


def child(database: str, csv_path: str, url: str, order: str = "random") -> None:
    """One run in this process: migrate, import, print a JSON result line."""
    os.environ["MHU_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="mhu-bench-")
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from mhu import create_app
    from mhu.extensions import db
    from mhu.services import imports
    from mhu.services.agencies import get_or_create_agency, get_or_create_team
    from mhu.services.imports import batch as batch_module
    from mhu.services.imports.profile import parse_profile

    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    schema = None
    if database == "postgres":
        schema = f"bench_import_{os.getpid()}"
        admin = sa.create_engine(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            version = connection.execute(sa.text("SHOW server_version")).scalar()
            memory = {name: connection.execute(sa.text(f"SHOW {name}")).scalar()
                      for name in ("shared_buffers", "max_wal_size", "work_mem")}
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
        label = f"PostgreSQL {version.split()[0]}"
        if memory["shared_buffers"] != "128MB":  # a tuned server (scripts/pg.sh MHU_PG_OPTIONS): say how
            label += ", " + ", ".join(f"{name} {value}" for name, value in memory.items())
    else:
        label = "SQLite (file, WAL)"
    if order == "time":
        label += ", rows in time order"
    app = create_app("development", **overrides)
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            agency = get_or_create_agency(name="Bench County", timezone="America/Chicago")
            team = get_or_create_team(agency=agency, name="Bench team")
            actor = imports.importer_account(agency)
            db.session.commit()
            timings = {"chunks": 0.0, "facts": 0.0, "day_sums": 0.0}
            _time_phase(batch_module._Run, "process", timings, "chunks")
            _time_phase(batch_module, "refresh_batch_facts", timings, "facts")
            _time_phase(batch_module, "refresh_batch_days", timings, "day_sums")
            backend = _server_process(db)
            load = os.getloadavg()[0]
            started, cpu_started = time.perf_counter(), cpu_seconds()
            batch = imports.create_batch(actor=actor, agency=agency, team=team, profile=parse_profile(PROFILE),
                                         source=csv_path, filename="bench.csv", keep_copy=False)
            imports.run(batch)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
            calls = db.session.scalar(sa.text("SELECT count(*) FROM call"))
            facts = db.session.scalar(sa.text("SELECT count(*) FROM call_fact"))
            result = {"database": label, "rows": batch.rows_total, "created": batch.created,
                      "rejected": batch.rejected, "calls": calls, "facts": facts, "status": batch.status,
                      "seconds": round(seconds, 1), "rate": round(batch.rows_total / seconds),
                      "cpu": round(cpu, 1), "day_sums": round(timings["day_sums"], 1),
                      "chunks_s": round(timings["chunks"], 1), "facts_s": round(timings["facts"], 1),
                      "server_cpu": backend() if backend else None,
                      "rss": peak_rss_mb(), "load": f"{load:.1f}"}
            db.session.remove()
            db.engine.dispose()
    finally:
        if schema:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print("RESULT " + json.dumps(result), flush=True)


def table(results: list[dict], stamp: str) -> list[str]:
    host = machine()
    return [
        f"| {stamp} | {r['database']} | {r['rows']:,} | {r['created']:,} | {r['rejected']:,} | {r['seconds']} | "
        f"{r['rate']:,} | {r['cpu']} | {r['server_cpu'] if r['server_cpu'] is not None else '–'} | {r['chunks_s']} | "
        f"{r['facts_s']} | {r['day_sums']} | {r['rss']} | {r['load']} | {host} |"
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-append", action="store_true", help="print only; leave bench/README.md alone")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one database")
    parser.add_argument("--order", choices=("random", "time"), default="random",
                        help="rows in random time order (default, the worst case) or in time order")
    parser.add_argument("--child", nargs=4, metavar=("DATABASE", "CSV", "URL", "ORDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    with tempfile.TemporaryDirectory(prefix="mhu-bench-import-") as directory:
        csv_path = Path(directory) / "bench.csv"
        began = time.perf_counter()
        generate(csv_path, args.rows, order=args.order)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - began:.0f} s", flush=True)
        runs = [("sqlite", f"sqlite:///{directory}/bench.sqlite3")]
        pg_url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
        if pg_url and pg_url.startswith("postgres"):
            from config import database_url

            runs.append(("postgres", database_url(pg_url)))
        else:
            print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
        if args.only:
            runs = [run for run in runs if run[0] == args.only]
        results = []
        for database, url in runs:
            output = subprocess.run([sys.executable, __file__, "--child", database, str(csv_path), url, args.order],
                                    check=True, capture_output=True, text=True).stdout
            result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
            print(result, flush=True)
            results.append(result)

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    lines = table(results, stamp)
    print(HEADER)
    print("\n".join(lines))
    if not args.no_append:
        append_rows(END_MARKER, lines)


if __name__ == "__main__":
    main()

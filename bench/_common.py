"""What every benchmark shares: the demo database it measures, the machine's description and
appending rows to bench/README.md."""

import argparse
import os
import platform
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"


def machine() -> str:
    """The interpreter and CPU count, the last column of every table."""
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"


def append_rows(marker: str, lines: list[str]) -> None:
    """Insert table rows before the `marker` comment that ends a table in bench/README.md."""
    text = README.read_text()
    if marker not in text:
        raise SystemExit(f"{README} has no {marker} marker; not appending")
    README.write_text(text.replace(marker, "\n".join(lines) + "\n" + marker))
    print(f"appended to bench/{README.name}")


# -- the demo database every scale benchmark measures ------------------------------------------

# A fixed anchor so a kept SQLite file and a PostgreSQL schema hold the same rows.
ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)
# The demo users' password in every benchmark database (bench_browser.py and load.py log in with it).
PASSWORD = "bench pass phrase"
DB_DIR = Path(tempfile.gettempdir()) / "mhu-bench"


def add_database_arguments(parser: argparse.ArgumentParser, *, calls: int) -> None:
    """The options every scale benchmark takes: size, seed and where its databases live."""
    parser.add_argument("--calls", type=int, default=calls)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-dir", type=Path, default=DB_DIR,
                        help="where the generated SQLite file is kept and reused (default %(default)s)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pg-schema", help="keep the PostgreSQL data in this schema and reuse it next time "
                        "(the generator takes tens of minutes at 1M); default: a throwaway schema")


def postgres_url() -> str | None:
    """The PostgreSQL server to measure on, from MHU_TEST_DATABASE_URL or DATABASE_URL (scripts/pg.sh sets one)."""
    from config import database_url

    url = os.environ.get("MHU_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return database_url(url) if url and url.startswith("postgres") else None


def on_databases(args, measure) -> list[dict]:
    """`measure(app, database)` on the SQLite demo file and, when a server is named, on PostgreSQL.

    `database` is the label for the tables ("SQLite 3.40.1", "PostgreSQL 15.18"); measure runs
    inside the app context with fresh statistics and returns a dict of results.
    """
    results = []
    if not args.skip_sqlite:
        results.append(_on_sqlite(args, measure))
    url = postgres_url()
    if url:
        results.append(_on_postgres(url, args, measure))
    else:
        print("PostgreSQL skipped: set MHU_TEST_DATABASE_URL or DATABASE_URL (or use scripts/pg.sh).")
    return results


def sqlite_demo_file(args) -> Path:
    """The kept SQLite demo database for (calls, seed), generated first when missing.

    Generated under a .partial name and renamed when complete, so an interrupted run never
    leaves a file that looks whole.
    """
    args.db_dir.mkdir(parents=True, exist_ok=True)
    path = args.db_dir / f"demo-{args.calls}-{args.seed}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in args.db_dir.glob(partial.name + "*"):
            leftover.unlink()
        with _demo_app(f"sqlite:///{partial}", args, generate=True):
            pass
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(partial) + suffix)
            if source.exists():
                source.rename(str(path) + suffix)
    return path


def _on_sqlite(args, measure) -> dict:
    path = sqlite_demo_file(args)
    with _demo_app(f"sqlite:///{path}", args, generate=False) as (app, database):
        return measure(app, database)


def _on_postgres(url: str, args, measure) -> dict:
    import sqlalchemy as sa

    schema = args.pg_schema or f"bench_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        exists = connection.execute(sa.text(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'call'"), {"s": schema}
        ).first() is not None
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    try:
        options = {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}
        with _demo_app(url, args, generate=not exists, engine_options=options) as (app, database):
            return measure(app, database)
    finally:
        if not args.pg_schema:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def migrated_app(url: str, engine_options: dict | None = None):
    """The app on `url` in its app context, migrated to the current schema (a kept database from
    an older checkout gets it, with its backfills); the engine is disposed afterwards."""
    from flask_migrate import upgrade

    from mhu import create_app
    from mhu.extensions import db

    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("development", **overrides)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@contextmanager
def _demo_app(url: str, args, *, generate: bool, engine_options: dict | None = None):
    """An app on `url` holding the demo data: migrated, generated or its facts brought up to date,
    with fresh planner statistics; yields (app, database label)."""
    import sqlalchemy as sa

    from mhu.extensions import db
    from mhu.services.demo import generate_demo
    from mhu.services.metrics import facts as metric_facts

    with migrated_app(url, engine_options) as app:
        if generate:
            started = time.perf_counter()
            generate_demo(calls=args.calls, seed=args.seed, now=ANCHOR, password=PASSWORD)
            print(f"generated {args.calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
        elif metric_facts.is_stale():  # kept from before the facts (or their last change)
            started = time.perf_counter()
            metric_facts.rebuild()
            db.session.commit()
            print(f"metric facts rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.commit()
        dialect = db.session.get_bind().dialect.name
        # Fresh statistics, as after any bulk load; on PostgreSQL also the visibility map that
        # index-only scans need (autovacuum's job on a live server).
        if dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
            version = db.session.execute(sa.text("SHOW server_version")).scalar()
            database = f"PostgreSQL {version.split()[0]}"
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            database = f"SQLite {db.session.execute(sa.text('SELECT sqlite_version()')).scalar()}"
        print(f"{database}, {args.calls:,} calls", flush=True)
        yield app, database

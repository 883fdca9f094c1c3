"""Per-connection database settings."""

import sqlalchemy as sa
from flask import Flask

from mhu.extensions import db


def init_app(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection; turn JIT off for
    every PostgreSQL one."""
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A 64 MiB page cache and memory-mapped reads: metric scans re-read the call table a lot
        # and the 2 MiB default made them disk-bound (bench/README.md).
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    def on_postgresql_connect(dbapi_connection, _record):
        # JIT compiles any statement planned above jit_above_cost, and the app's are short: the day
        # refresh of a call written at 1M calls spent 158 of its 166 ms compiling (bench/README.md).
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.autocommit = autocommit

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", on_connect)
        elif engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect", on_postgresql_connect)

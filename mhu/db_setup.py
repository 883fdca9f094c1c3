"""Per-connection database settings."""

import sqlalchemy as sa
from flask import Flask

from mhu.extensions import db


def init_app(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", on_connect)

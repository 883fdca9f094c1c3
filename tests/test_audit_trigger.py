"""The database itself refuses to change or delete audit events (migration 0002).

The session `app` builds its schema with create_all, so this test migrates a scratch database of
the run's kind (SQLite file, or a PostgreSQL database created and dropped here) and checks the
trigger of that dialect: PostgreSQL's plpgsql trigger, or SQLite's RAISE(ABORT) triggers.
"""

import logging
import os
import secrets
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def migrated_url(tmp_path):
    server = os.environ.get("MHU_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'audit-trigger.sqlite3'}"
        return
    name = f"mhu_trigger_{secrets.token_hex(4)}"
    admin = sa.create_engine(sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_database_refuses_to_update_or_delete_audit_events(migrated_url):
    # migrations/env.py runs logging.fileConfig, which disables existing loggers: put them back.
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    loggers = {name: lg.disabled for name, lg in logging.Logger.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    application = create_app("test", SQLALCHEMY_DATABASE_URI=migrated_url)
    with application.app_context():
        try:
            flask_migrate.upgrade(directory=MIGRATIONS)
            engine = db.engine
            dialect = engine.dialect.name
            with engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO audit_event (occurred_at, action, outcome) VALUES (CURRENT_TIMESTAMP, 'call.read', 'success')"))
            refusals = []
            for statement in ("UPDATE audit_event SET outcome = 'failure'", "DELETE FROM audit_event"):
                with pytest.raises(sa.exc.DatabaseError) as refused:
                    with engine.begin() as connection:
                        connection.execute(sa.text(statement))
                refusals.append(str(refused.value.orig))
            if dialect == "postgresql":
                with pytest.raises(sa.exc.DatabaseError) as truncate:
                    with engine.begin() as connection:
                        connection.execute(sa.text("TRUNCATE audit_event"))
                refusals.append(str(truncate.value.orig))
                triggers = {"audit_event_append_only", "audit_event_no_truncate"}
                query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"
            else:
                triggers = {"audit_event_no_update", "audit_event_no_delete"}
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
            with engine.connect() as connection:
                found = set(connection.scalars(sa.text(query)))
            assert found == triggers
            assert all("append-only" in message for message in refusals), refusals
            with engine.connect() as connection:
                row = connection.execute(sa.text("SELECT action, outcome FROM audit_event")).one()
            assert tuple(row) == ("call.read", "success")
        finally:
            root.setLevel(saved[0])
            root.handlers[:] = saved[1]
            for name, disabled in loggers.items():
                logging.getLogger(name).disabled = disabled
            db.session.remove()
            db.engine.dispose()

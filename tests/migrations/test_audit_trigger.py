"""The database itself refuses to change or delete audit events (migration 0002).

The session `app` builds its schema with create_all, so this test migrates a scratch database of
the run's kind (SQLite file, or a PostgreSQL database created and dropped here) and checks the
trigger of that dialect: PostgreSQL's plpgsql trigger, or SQLite's RAISE(ABORT) triggers.
"""

import pytest
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db
from tests.support.migrating import upgrade


def test_the_database_refuses_to_update_or_delete_audit_events(scratch_database):
    application = create_app("test", SQLALCHEMY_DATABASE_URI=scratch_database())
    with application.app_context():
        try:
            upgrade()
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
            db.session.remove()
            db.engine.dispose()

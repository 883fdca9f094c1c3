"""PostgreSQL deployments split the roles: migrations run as the tables' owner
(MIGRATION_DATABASE_URL), the app connects as a role that owns nothing (DATABASE_URL), so the app
cannot drop the audit trigger nor change audit events, yet does its ordinary work."""

import os

import pytest
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db
from tests.support.migrating import upgrade

pytestmark = pytest.mark.skipif(not os.environ.get("MHU_TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="roles and grants are PostgreSQL's")


def test_the_app_role_cannot_drop_the_audit_trigger_or_change_events(app_role):
    owner_url, app_url = app_role
    application = create_app("test", SQLALCHEMY_DATABASE_URI=app_url, MIGRATION_DATABASE_URI=owner_url)
    with application.app_context():
        try:
            upgrade()
            with db.engine.begin() as connection:  # the app's ordinary work is allowed
                connection.execute(sa.text("INSERT INTO agency (name, kind, timezone, created_at) "
                                           "VALUES ('Springfield PD', 'law_enforcement', 'UTC', now())"))
                connection.execute(sa.text("INSERT INTO audit_event (occurred_at, action, outcome) "
                                           "VALUES (now(), 'call.read', 'success')"))
                assert connection.scalar(sa.text("SELECT count(*) FROM audit_event")) == 1
            refusals = {}
            for statement in ("DROP TRIGGER audit_event_append_only ON audit_event",
                              "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                              "UPDATE audit_event SET outcome = 'failure'", "DELETE FROM audit_event"):
                with pytest.raises(sa.exc.ProgrammingError) as refused:
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(statement))
                refusals[statement.split()[0]] = str(refused.value.orig)
        finally:
            db.session.remove()
            db.engine.dispose()
    assert "must be owner" in refusals["DROP"] and "must be owner" in refusals["ALTER"]
    assert "permission denied" in refusals["UPDATE"] and "permission denied" in refusals["DELETE"]

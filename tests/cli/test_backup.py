"""Backup and restore round trips on the run's database kind (SQLite file or PostgreSQL)."""

import os
import subprocess

import pytest
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db
from mhu.models import AuditEvent, Call
from mhu.services.backup import BackupError, backup_database, pg_tool, restore_database, sqlite_integrity
from tests.factories import at, call_payload
from tests.support.migrating import upgrade

POSTGRES = os.environ.get("MHU_TEST_DATABASE_URL", "").startswith("postgresql")


def live_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def fresh_url(scratch_database):
    """An empty database of the same kind as the test database, dropped afterwards."""
    return scratch_database()


def populate(make, api):
    _, team, people = make.unit()
    officer, clinician = api(people["officer"]), api(people["clinician"])
    person = officer.post("/api/v1/persons", json={"first_name": "Ruth", "last_name": "Okafor",
                                                    "date_of_birth": "1971-06-30"}).json
    for hours in range(5):
        call = officer.post("/api/v1/calls", json=call_payload(
            received_at=at(hours=hours).isoformat(), dispatched_at=None, arrived_at=None, cleared_at=None,
            person_id=person["id"], narrative=f"Narrative {hours} — ünïcode")).json
        officer.post(f"/api/v1/calls/{call['id']}/referrals", json={"referral_type": "peer_support"})
        clinician.post(f"/api/v1/calls/{call['id']}/notes", json={"body": f"Note {hours}", "part2": hours == 2})


def snapshot(engine) -> dict:
    """Row counts of every table, plus the calls and audit events themselves as a sample."""
    with engine.connect() as connection:
        counts = {t.name: connection.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        calls = connection.execute(sa.select(Call.id, Call.narrative, Call.version, Call.received_at,
                                             Call.person_id).order_by(Call.id)).all()
        events = connection.execute(sa.select(AuditEvent.id, AuditEvent.action, AuditEvent.object_id,
                                              AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
    return {"counts": counts, "calls": calls, "events": events}


def test_backup_then_restore_into_a_fresh_database_keeps_every_row(make, api, tmp_path, fresh_url):
    populate(make, api)
    before = snapshot(db.engine)
    path = tmp_path / "mhu.backup"

    made = backup_database(url=live_url(), path=path)
    restore_database(url=fresh_url, path=path)

    restored_engine = sa.create_engine(fresh_url, poolclass=sa.pool.NullPool)
    try:
        after = snapshot(restored_engine)
    finally:
        restored_engine.dispose()
    assert made.bytes > 0 and oct(path.stat().st_mode)[-3:] == "600"
    assert before["counts"]["call"] == 5 and before["counts"]["clinical_note"] == 5
    assert after == before


def test_cli_backup_and_restore_put_the_database_back_as_it_was(make, api, runner, tmp_path):
    populate(make, api)
    path = tmp_path / "cli.backup"
    backed_up = runner.invoke(args=["backup", str(path)])
    assert backed_up.exit_code == 0, backed_up.output
    calls_at_backup = db.session.scalar(sa.select(sa.func.count()).select_from(Call))
    _, _, people = make.unit()
    api(people["officer"]).post("/api/v1/calls", json=call_payload())  # made after the backup

    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == calls_at_backup + 1
    db.session.remove()

    restored = runner.invoke(args=["restore", str(path), "--yes"])

    assert restored.exit_code == 0, restored.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == calls_at_backup
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"backup.create", "backup.restore"} <= actions


def test_backup_file_is_complete_and_readable(make, api, tmp_path):
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL: pg_restore --list reads the whole archive's table of contents.
        populate(make, api)
        path = backup_database(url=live_url(), path=tmp_path / "pg.backup").path
        listing = subprocess.run([pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        assert listing.returncode == 0 and "TABLE DATA public audit_event" in listing.stdout
        return
    populate(make, api)
    path = backup_database(url=live_url(), path=tmp_path / "lite.backup").path
    assert sqlite_integrity(path) == "ok"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, fresh_url):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(BackupError):
        restore_database(url=fresh_url, path=junk)


@pytest.mark.skipif(not POSTGRES, reason="the owner and app roles are PostgreSQL's")
def test_restore_with_an_app_role_that_owns_nothing_runs_as_the_owner_and_grants_the_app_again(app_role, tmp_path):
    # The app role cannot drop the tables it replaces; the restore must run as the tables' owner
    # (MIGRATION_DATABASE_URL) and leave the app role exactly what `db upgrade` grants it.
    owner_url, app_url = app_role
    application = create_app("test", SQLALCHEMY_DATABASE_URI=app_url, MIGRATION_DATABASE_URI=owner_url)
    runner = application.test_cli_runner()
    path = tmp_path / "two-roles.backup"
    insert_agency = sa.text("INSERT INTO agency (name, kind, timezone, created_at) "
                            "VALUES (:name, 'law_enforcement', 'UTC', now())")
    with application.app_context():
        try:
            upgrade()
            with db.engine.begin() as connection:
                connection.execute(insert_agency, {"name": "Springfield PD"})
            backed_up = runner.invoke(args=["backup", str(path)])
            with db.engine.begin() as connection:
                connection.execute(insert_agency, {"name": "Made after the backup"})
            db.session.remove()

            restored = runner.invoke(args=["restore", str(path), "--yes"])

            with db.engine.begin() as connection:  # the app's ordinary work, as the app role
                agencies = connection.scalars(sa.text("SELECT name FROM agency ORDER BY name")).all()
                connection.execute(insert_agency, {"name": "Made after the restore"})
                actions = set(connection.scalars(sa.text("SELECT action FROM audit_event")))
                owners = set(connection.scalars(sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")))
            refusals = {}
            for statement in ("UPDATE audit_event SET outcome = 'failure'",
                              "DROP TRIGGER audit_event_append_only ON audit_event"):
                with pytest.raises(sa.exc.ProgrammingError) as refused:
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(statement))
                refusals[statement.split()[0]] = str(refused.value.orig)
        finally:
            db.session.remove()
            db.engine.dispose()
    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert agencies == ["Springfield PD"]
    assert {"backup.create", "backup.restore"} <= actions
    assert owners == {sa.make_url(owner_url).username}
    assert "permission denied" in refusals["UPDATE"] and "must be owner" in refusals["DROP"]

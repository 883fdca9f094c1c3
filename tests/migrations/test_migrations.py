"""Alembic migrations build exactly the models' schema, and tear it down again.

Each test runs on its own scratch database of the run's kind (an SQLite file, or a database
created on the PostgreSQL server named in MHU_TEST_DATABASE_URL and dropped afterwards), so it
never touches the session `app`'s schema.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from mhu import create_app
from mhu.extensions import db
from mhu.models.references import autogenerate_filter
from tests.support.migrating import MIGRATIONS, downgrade, upgrade



@contextmanager
def app_on(url: str):
    """An app context of a second app bound to `url`; its engine is closed on exit."""
    application = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()


def current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def schema_differences() -> list:
    """What `flask db migrate` would autogenerate: the models' schema minus the database's."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True,
                              "include_object": autogenerate_filter(connection.dialect.name)})
        return compare_metadata(context, db.metadata)


def reflected_schema() -> dict:
    """Tables, columns, keys, indexes and CHECK constraints as the database reports them."""
    inspector = sa.inspect(db.engine)
    schema = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        schema[table] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                              for c in inspector.get_columns(table)),
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                                    tuple(fk["referred_columns"]), str(fk.get("options")))
                                   for fk in inspector.get_foreign_keys(table)),
            "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                              for ix in inspector.get_indexes(table)),
            "unique": sorted((uq["name"], tuple(uq["column_names"]))
                             for uq in inspector.get_unique_constraints(table)),
            "checks": sorted((ck["name"], " ".join(ck["sqltext"].split()))
                             for ck in inspector.get_check_constraints(table)),
        }
    if db.engine.dialect.name == "postgresql":
        # The triggers and functions of mhu/models/references.py. The audit trail's are built by
        # their migration only (test_audit_trigger.py).
        with db.engine.connect() as connection:
            for table, trigger in connection.execute(sa.text(
                    "SELECT tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE NOT tgisinternal AND tgname NOT LIKE 'audit_event%'")):
                schema[table.strip('"')].setdefault("triggers", []).append(trigger)
            schema["functions"] = sorted(connection.scalars(sa.text(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname <> 'audit_event_refuse_change'")))
        for table in schema.values():
            if isinstance(table, dict):
                table["triggers"] = sorted(table.get("triggers", []))
    return schema


def leftover_objects() -> dict:
    """Schema objects other than Alembic's own version table."""
    inspector = sa.inspect(db.engine)
    leftovers = {
        "tables": set(inspector.get_table_names()) - {"alembic_version"},
        "views": set(inspector.get_view_names()),
    }
    if db.engine.dialect.name == "postgresql":
        leftovers["sequences"] = set(inspector.get_sequence_names())
        leftovers["enum types"] = {enum["name"] for enum in inspector.get_enums()}
    return leftovers


def test_upgrade_from_empty_database_reaches_the_single_head(scratch_database):
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"migrations must have exactly one head, found {heads}"

    with app_on(scratch_database()):
        upgrade()

        assert current_revisions() == set(heads)


def test_autogenerate_finds_no_difference_between_migrations_and_models(scratch_database):
    with app_on(scratch_database()):
        upgrade()

        assert schema_differences() == []


def test_migrated_schema_equals_the_schema_create_all_builds(scratch_database):
    # Autogenerate ignores CHECK constraints (our enums are CHECKs), so compare what the
    # database itself reports for a migrated schema and for one built from the models.
    with app_on(scratch_database()):
        upgrade()
        migrated = reflected_schema()
    with app_on(scratch_database()):
        db.create_all()
        from_models = reflected_schema()

    assert migrated.keys() == from_models.keys()
    for table in from_models:
        assert migrated[table] == from_models[table], f"table {table} differs"


def test_downgrade_to_base_leaves_no_schema_and_upgrade_works_again(scratch_database):
    with app_on(scratch_database()):
        upgrade()

        downgrade("base")

        assert current_revisions() == set()
        assert leftover_objects() == {key: set() for key in leftover_objects()}

        upgrade()

        assert current_revisions() == set(ScriptDirectory(MIGRATIONS).get_heads())
        assert schema_differences() == []


def test_a_populated_database_upgrades_from_before_the_imports(scratch_database):
    # Later revisions rebuild referenced tables (user, call) on SQLite: rows that point at them
    # must survive, and the upgrade must not trip over foreign keys.
    with app_on(scratch_database()):
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO agency (id, name, kind, timezone, created_at) VALUES (1, 'Old PD', 'law_enforcement', "
                "'America/Chicago', '2026-01-01 00:00:00+00:00')")
            connection.exec_driver_sql(
                "INSERT INTO \"user\" (id, email, password_hash, role, agency_id, cit_level, active, failed_logins, "
                "session_nonce, created_at) VALUES (1, 'old@example.test', 'x', 'officer', 1, 'none', true, 0, 'n', "
                "'2026-01-01 00:00:00+00:00')")
            connection.exec_driver_sql(
                "INSERT INTO api_token (id, user_id, token_hash, created_at, expires_at) VALUES "
                "(1, 1, 'digest', '2026-01-01 00:00:00+00:00', '2027-01-01 00:00:00+00:00')")

        upgrade()

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT user_id FROM api_token").scalar_one() == 1
            assert connection.exec_driver_sql("SELECT email FROM \"user\"").scalar_one() == "old@example.test"

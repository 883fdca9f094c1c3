"""Alembic migrations build exactly the models' schema, and tear it down again.

Each test runs on its own scratch database of the run's kind (an SQLite file, or a database
created on the PostgreSQL server named in MHU_TEST_DATABASE_URL and dropped afterwards), so it
never touches the session `app`'s schema.
"""

import logging
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from mhu import create_app
from mhu.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def scratch_url(tmp_path):
    """A URL of an empty database on the same kind of server as the test run."""
    urls = []

    def new_database() -> str:
        server = os.environ.get("MHU_TEST_DATABASE_URL", "")
        if not server.startswith("postgresql"):
            url = f"sqlite:///{tmp_path / f'scratch-{len(urls)}.sqlite3'}"
        else:
            name = f"mhu_scratch_{secrets.token_hex(4)}"
            with _maintenance_engine(server).connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
        urls.append(url)
        return url

    yield new_database
    for url in urls:
        if url.startswith("postgresql"):
            engine = _maintenance_engine(url)
            with engine.connect() as connection:
                # FORCE: a failed test may leave a pooled connection open.
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
            engine.dispose()


def _maintenance_engine(url: str) -> sa.Engine:
    """An autocommit engine on the server's `postgres` database (CREATE/DROP DATABASE need it)."""
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool)


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


@contextmanager
def preserved_logging():
    """migrations/env.py runs logging.fileConfig, which disables every existing logger and
    replaces the root handlers; put them back so later tests still see their logs."""
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))
    loggers = {name: (lg.disabled, lg.level) for name, lg in logging.Logger.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    try:
        yield
    finally:
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]
        for name, (disabled, level) in loggers.items():
            logger = logging.getLogger(name)
            logger.disabled, logger.level = disabled, level


def upgrade(revision="head"):
    with preserved_logging():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=revision)


def downgrade(revision):
    with preserved_logging():
        flask_migrate.downgrade(directory=MIGRATIONS, revision=revision)


def current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def schema_differences() -> list:
    """What `flask db migrate` would autogenerate: the models' schema minus the database's."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
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


def test_upgrade_from_empty_database_reaches_the_single_head(scratch_url):
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"migrations must have exactly one head, found {heads}"

    with app_on(scratch_url()):
        upgrade()

        assert current_revisions() == set(heads)


def test_autogenerate_finds_no_difference_between_migrations_and_models(scratch_url):
    with app_on(scratch_url()):
        upgrade()

        assert schema_differences() == []


def test_migrated_schema_equals_the_schema_create_all_builds(scratch_url):
    # Autogenerate ignores CHECK constraints (our enums are CHECKs), so compare what the
    # database itself reports for a migrated schema and for one built from the models.
    with app_on(scratch_url()):
        upgrade()
        migrated = reflected_schema()
    with app_on(scratch_url()):
        db.create_all()
        from_models = reflected_schema()

    assert migrated.keys() == from_models.keys()
    for table in from_models:
        assert migrated[table] == from_models[table], f"table {table} differs"


def test_downgrade_to_base_leaves_no_schema_and_upgrade_works_again(scratch_url):
    with app_on(scratch_url()):
        upgrade()

        downgrade("base")

        assert current_revisions() == set()
        assert leftover_objects() == {key: set() for key in leftover_objects()}

        upgrade()

        assert current_revisions() == set(ScriptDirectory(MIGRATIONS).get_heads())
        assert schema_differences() == []

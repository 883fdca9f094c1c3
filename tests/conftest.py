"""Fixtures: the app on a real database (SQLite file, or PostgreSQL from MHU_TEST_DATABASE_URL),
a clean database per test, the factories, API and live-server clients.

Record builders live in tests/factories.py; helpers that serve the app live in tests/support/.
"""

import os
import secrets

import pytest
import sqlalchemy as sa
from flask import g

from mhu import create_app
from mhu.extensions import db
from tests.factories import Factory, filters_for, outcome_calls, token_for
from tests.support.database import empty_all_tables
from tests.support.live import serving


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("MHU_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app per test run, its schema built by create_all (migrations are tested separately)."""
    os.environ.setdefault("MHU_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = create_app("test", SQLALCHEMY_DATABASE_URI=database_url(tmp_path_factory))
    with application.app_context():
        db.drop_all()
        db.create_all()
    # Tests hold an app context open for the factories, and Flask reuses it for test-client
    # requests; reset per-request state so each request starts as it would in production.
    application.before_request_funcs.setdefault(None, []).insert(0, fresh_request_state)
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def fresh_request_state() -> None:
    for name in list(g):
        g.pop(name)
    db.session.expire_all()


@pytest.fixture(autouse=True)
def clean_database(app):
    """Each test starts with empty tables and runs inside an app context."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make():
    return Factory()


@pytest.fixture
def unit(make):
    """An agency with one co-responder team and its officer: (agency, team, officer)."""
    agency, team, people = make.unit()
    return agency, team, people["officer"]


@pytest.fixture
def outcomes(unit):
    """The hand-counted calls of factories.outcome_calls, as filters over March 2026."""
    agency, _, officer = unit
    outcome_calls(officer)
    return filters_for(agency)


@pytest.fixture(scope="session")
def live_server(app):
    """The app served on a loopback port from a background thread (one per run); its base URL."""
    with serving(app) as url:
        yield url


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client, user):
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {token_for(user)}"}

    def _call(self, method, path, json=None, headers=None, **kwargs):
        return self.client.open(path, method=method, json=json, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self._call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self._call("PATCH", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self._call("PUT", path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self._call("DELETE", path, json=json, **kwargs)


@pytest.fixture
def api(client):
    """api(user) -> a client authenticated as that user with a bearer token."""
    return lambda user: ApiClient(client, user)


@pytest.fixture
def scratch_database(tmp_path):
    """new() -> the URL of an empty database of the run's kind (SQLite file, or a database on the
    PostgreSQL server of MHU_TEST_DATABASE_URL), each dropped after the test."""
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


@pytest.fixture
def app_role(scratch_database):
    """(owner URL, app URL) as docs/deploy-postgresql.md sets them up: a scratch PostgreSQL
    database whose tables the owner will own, and a fresh login role that owns nothing."""
    owner_url = scratch_database()
    role = f"mhu_app_{secrets.token_hex(4)}"
    owner = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with owner.connect() as connection:
        connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    yield owner_url, sa.make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    with owner.connect() as connection:
        connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
        connection.execute(sa.text(f'DROP ROLE "{role}"'))
    owner.dispose()


def _maintenance_engine(url: str) -> sa.Engine:
    """An autocommit engine on the server's `postgres` database (CREATE/DROP DATABASE need it)."""
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool)

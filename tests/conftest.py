"""Fixtures: the app on a real database (SQLite file, or PostgreSQL from MHU_TEST_DATABASE_URL),
a clean database per test, factories for agencies, teams, users and calls, and login helpers."""

import itertools
import os
import secrets
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import g

from mhu import create_app
from mhu.auth.passwords import hash_password
from mhu.extensions import db
from mhu.models import Agency, Team, User
from mhu.services import users as user_service

PASSWORD = "correct horse battery staple 42"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is deliberately slow: hash once per run
_counter = itertools.count(1)


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


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds the records tests need, with sensible defaults, through real models."""

    def agency(self, name=None, timezone_name="America/Chicago") -> Agency:
        agency = Agency(name=name or f"Agency {next(_counter)}", timezone=timezone_name)
        db.session.add(agency)
        db.session.commit()
        return agency

    def team(self, agency, name=None, kind="co_responder") -> Team:
        team = Team(agency=agency, name=name or f"Team {next(_counter)}", kind=kind)
        db.session.add(team)
        db.session.commit()
        return team

    def user(self, role, agency=None, teams=(), email=None) -> User:
        agency = agency or self.agency()
        user = User(
            email=email or f"{role}{next(_counter)}@example.test", role=role, agency=agency,
            password_hash=_PASSWORD_HASH, session_nonce=secrets.token_hex(16), teams=list(teams),
        )
        db.session.add(user)
        db.session.commit()
        return user

    def unit(self, name=None):
        """An agency with one co-responder team and one user of every role on it."""
        agency = self.agency(name)
        team = self.team(agency)
        people = {role: self.user(role, agency, teams=[team] if role in ("officer", "clinician") else [])
                  for role in ("officer", "clinician", "supervisor", "partner", "admin")}
        return agency, team, people


@pytest.fixture
def make():
    return Factory()


def token_for(user: User) -> str:
    token, _ = user_service.issue_token(user=user)
    return token


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

    def delete(self, path, json=None, **kwargs):
        return self._call("DELETE", path, json=json, **kwargs)


@pytest.fixture
def api(client):
    """api(user) -> a client authenticated as that user with a bearer token."""
    return lambda user: ApiClient(client, user)


def login(client, user, password=PASSWORD):
    """Log a browser session in through the real form (with its CSRF token)."""
    with client.session_transaction() as session:
        session["csrf_token"] = "test-csrf"
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": "test-csrf"})


def at(days=0, hours=0, minutes=0) -> datetime:
    """A fixed, aware reference time plus an offset; tests never depend on today's date."""
    return datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc) + timedelta(days=days, hours=hours, minutes=minutes)


def call_payload(**overrides) -> dict:
    """A complete, valid call body as a tablet would send it."""
    body = {
        "incident_number": "C26-000123",
        "received_at": at().isoformat(),
        "dispatched_at": at(minutes=2).isoformat(),
        "arrived_at": at(minutes=11).isoformat(),
        "cleared_at": at(minutes=55).isoformat(),
        "call_source": "911",
        "nature": "mh_crisis",
        "initial_call_type": "10-96",
        "final_call_type": "10-96",
        "presenting_problems": ["suicidal_ideation", "substance_use"],
        "risk_flags": ["intoxicated"],
        "arrestable_offense": "none",
        "district": "North",
        "beat": "N3",
        "address": "100 Main St",
        "latitude": 41.88,
        "longitude": -87.63,
        "cit_officer_on_scene": True,
        "transfer_in": "911",
        "transfer_out": "none",
        "force_level": "none",
        "injuries": [],
        "disposition": "resolved_with_referral",
        "legal_hold_type": None,
        "followup_required": True,
        "narrative": "Subject calm after de-escalation; safety plan made.",
    }
    body.update(overrides)
    return body


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


def _maintenance_engine(url: str) -> sa.Engine:
    """An autocommit engine on the server's `postgres` database (CREATE/DROP DATABASE need it)."""
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool)

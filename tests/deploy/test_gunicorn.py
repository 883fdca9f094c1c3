"""The app as deployed: scripts/serve.sh (migrate, then gunicorn with gunicorn.conf.py, production
config) on PostgreSQL, and two such instances on one database behaving as one.

Runs in the PostgreSQL run only (it needs a database server both instances reach); the instances
are started once for the module on a scratch database, and stopped at the end.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db
from mhu.models import Call
from tests.factories import PASSWORD, Factory, call_payload

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("MHU_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not SERVER.startswith("postgresql"), reason="runs in the PostgreSQL run")
RATE_LIMIT = 12


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, process, log: Path, seconds=240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve.sh exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def database_url():
    name = f"mhu_deploy_{secrets.token_hex(4)}"
    maintenance = sa.create_engine(sa.make_url(SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT",
                                   poolclass=sa.pool.NullPool)
    with maintenance.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    with maintenance.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    maintenance.dispose()


@pytest.fixture(scope="module")
def instances(database_url, tmp_path_factory):
    """Two gunicorn instances (2 workers each) on one database: their base URLs and logs."""
    env = {**os.environ, "DATABASE_URL": database_url, "MHU_CONFIG": "production",
           "MHU_SECRET_KEY": secrets.token_hex(32), "MHU_WORKERS": "2", "MHU_LOGIN_RATE_LIMIT": str(RATE_LIMIT),
           "MHU_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
           # Two-step sign-in (on by default in production) has its own tests; these sign in with passwords.
           "MHU_MFA_REQUIRED": "0"}
    env.pop("MHU_TEST_DATABASE_URL", None)
    logs, processes, bases = [], [], []
    try:
        for index in range(2):
            port = free_port()
            log = tmp_path_factory.mktemp("gunicorn") / f"instance-{index}.log"
            logs.append(log)
            # The first instance migrates; the second serves the same release (MHU_SKIP_MIGRATE).
            extra = {"MHU_BIND": f"127.0.0.1:{port}", "MHU_SKIP_MIGRATE": "1" if index else "0"}
            with open(log, "w") as out:
                processes.append(subprocess.Popen([str(ROOT / "scripts" / "serve.sh")], cwd=ROOT, env={**env, **extra},
                                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
            bases.append(f"http://127.0.0.1:{port}")
            wait_healthy(bases[-1], processes[-1], log)
        yield bases, logs
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # quick shutdown: nothing is in flight
                process.wait(timeout=30)


@pytest.fixture(scope="module")
def people(database_url, instances):
    """A unit of users in the served database (built in-process against it)."""
    application = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    with application.app_context():
        _, _, users = Factory().unit("Deployed PD")
        found = {role: (user.id, user.email) for role, user in users.items()}
        db.session.remove()
        db.engine.dispose()
    return found


def count_calls(database_url) -> int:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        count = connection.scalar(sa.select(sa.func.count()).select_from(Call.__table__))
    engine.dispose()
    return count


def token(base, email, password=PASSWORD):
    response = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def browser_login(base, email):
    """Log in through the form; the session cookie (Secure in production) is returned for manual use,
    since plain-HTTP clients do not send Secure cookies back."""
    http = requests.Session()
    form = http.get(f"{base}/login", timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    cookie = form.cookies["session"]
    response = http.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                         headers={"Cookie": f"session={cookie}"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    return response.cookies["session"]


def test_smoke_healthz_login_and_a_call_under_gunicorn(instances, people):
    (base, _), logs = instances
    assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok", "database": "ok"}
    browser_login(base, people["officer"][1])
    headers = token(base, people["officer"][1])
    created = requests.post(f"{base}/api/v1/calls", json=call_payload(), headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    read = requests.get(f"{base}/api/v1/calls/{created.json()['id']}", headers=headers, timeout=10)
    assert read.status_code == 200 and read.json()["incident_number"] == "C26-000123"
    assert read.headers["Strict-Transport-Security"].startswith("max-age=")


def test_access_log_has_the_request_id_and_no_query_or_body(instances, people):
    (base, _), logs = instances
    response = requests.get(f"{base}/api/v1/persons?name=Secret+Name", headers=token(base, people["officer"][1]),
                            timeout=10)
    request_id = response.headers["X-Request-ID"]
    time.sleep(0.5)  # the access log line is written after the response
    log = logs[0].read_text()
    assert f"rid={request_id}" in log
    assert "Secret" not in log and PASSWORD not in log


def test_a_session_started_on_one_instance_works_and_ends_on_the_other(instances, people):
    (first, second), _ = instances
    cookie = browser_login(first, people["clinician"][1])
    headers = {"Cookie": f"session={cookie}"}
    assert requests.get(f"{second}/api/v1/me", headers=headers, timeout=10).status_code == 200
    devices = requests.get(f"{second}/api/v1/me/sessions", headers=headers, timeout=10).json()
    assert [d["current"] for d in devices] == [True]
    other = token(first, people["clinician"][1])
    assert requests.delete(f"{first}/api/v1/me/sessions/{devices[0]['id']}", headers=other, timeout=10).status_code == 204
    for base in (first, second):
        assert requests.get(f"{base}/api/v1/me", headers=headers, timeout=10).status_code == 401


def test_an_idempotency_key_sent_to_both_instances_at_once_creates_one_call(instances, people, database_url):
    bases, _ = instances
    headers = {**token(bases[0], people["officer"][1]), "Idempotency-Key": secrets.token_hex(8)}
    body = call_payload(incident_number="C26-IDEMP")
    before = count_calls(database_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(
            lambda i: requests.post(f"{bases[i % 2]}/api/v1/calls", json=body, headers=headers, timeout=30), range(8)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert count_calls(database_url) == before + 1


def test_the_lockout_counts_failures_made_on_either_instance(instances, people):
    bases, _ = instances
    email = people["partner"][1]
    # Sequential, alternating: each failure is counted where the other instance left the count.
    for attempt in range(5):
        response = requests.post(f"{bases[attempt % 2]}/api/v1/auth/token",
                                 json={"email": email, "password": "wrong password entirely"}, timeout=10)
        assert response.status_code == 401
    for base in bases:
        locked = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=10)
        assert locked.status_code == 401


def test_the_per_address_limit_holds_across_both_instances(instances):
    bases, _ = instances

    def fail(i):
        return requests.post(f"{bases[i % 2]}/api/v1/auth/token",
                             json={"email": f"nobody{i}@example.test", "password": "wrong password"}, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(fail, range(RATE_LIMIT + 4)))
    assert statuses.count(429) >= 1 and set(statuses) <= {401, 429}
    for base in bases:
        assert requests.post(f"{base}/api/v1/auth/token", json={"email": "x@example.test", "password": "y"},
                             timeout=10).status_code == 429

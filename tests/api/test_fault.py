"""Kill -9 the server in the middle of a stream of acknowledged writes: none of them is lost.

The real app runs in a subprocess on a database of its own (an SQLite file, or PostgreSQL); four
clients stream POSTs with Idempotency-Keys and client-chosen ids, as tablets do. The server gets
SIGKILL while requests are in flight, is started again, and every call that was acknowledged with
201 must be there, and the database must pass its integrity check.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from mhu import create_app
from mhu.extensions import db
from mhu.services.idempotency import WORK_COMMITTED
from mhu.models import AuditEvent, Call, IdempotencyRecord
from mhu.models.types import utcnow
from tests.factories import Factory, call_payload, token_for

ROOT = Path(__file__).resolve().parents[2]
STREAMS = 4
KILL_AFTER_ACKS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, tmp_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "MHU_INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    with open(Path(tmp_path) / "server.log", "ab") as log:  # read by server_log() when the test fails
        process = subprocess.Popen([sys.executable, "-m", "tests.support.fault_server", url, str(port)], cwd=ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start within 90 s")


def server_log(tmp_path, lines: int = 40) -> str:
    """The end of the server's output (its tracebacks), for a failure message."""
    return "\n".join((Path(tmp_path) / "server.log").read_text(errors="replace").splitlines()[-lines:])


def stream(base, token, acknowledged, refused, stop):
    """POST calls until the server dies; remember the ids the server acknowledged with 201."""
    with requests.Session() as http:
        while not stop.is_set():
            call_id = str(uuid.uuid4())
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"fault-{call_id}"}
            try:
                response = http.post(f"{base}/api/v1/calls", json=call_payload(id=call_id), headers=headers, timeout=30)
            except requests.Timeout:
                # A slow answer on a loaded machine is not a dead server: this write was never
                # acknowledged, so the client moves on to its next call, as a tablet would.
                continue
            except requests.RequestException:
                return  # the server is gone: this request was never acknowledged
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
            else:
                refused.append(response.status_code)


@pytest.fixture
def own_database(scratch_database):
    """An app context on a database of its own: only the killed server and this test use it, so
    no connection left open by an earlier test of the run can hold a lock the server waits on."""
    application = create_app("test", SQLALCHEMY_DATABASE_URI=scratch_database())
    with application.app_context():
        db.create_all()
        yield
        db.session.remove()
        db.engine.dispose()


def test_sigkill_mid_stream_loses_no_acknowledged_write(own_database, tmp_path):
    _, _, people = Factory().unit()
    token = token_for(people["officer"])
    url = db.engine.url.render_as_string(hide_password=False)
    db.session.remove()
    acknowledged, refused, stop = [], [], threading.Event()
    server, base = start_server(url, tmp_path)
    try:
        streams = [threading.Thread(target=stream, args=(base, token, acknowledged, refused, stop)) for _ in range(STREAMS)]
        for thread in streams:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            assert any(thread.is_alive() for thread in streams), "every client lost the server before the kill"
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)  # requests are in flight on the other threads
        server.wait(timeout=10)
        stop.set()
        for thread in streams:
            thread.join(timeout=15)
        assert len(acknowledged) >= KILL_AFTER_ACKS, (
            f"answers other than 201 before the kill: {refused[:20]}\n{server_log(tmp_path)}")

        server, base = start_server(url, tmp_path)
        check = requests.get(f"{base}/api/v1/calls/{acknowledged[-1]}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    finally:
        server.kill()
        server.wait(timeout=10)

    assert check.status_code == 200
    stored = {str(i) for i in db.session.scalars(sa.select(Call.id))}
    assert set(acknowledged) <= stored, f"lost: {set(acknowledged) - stored}"
    creates = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "call.create"))
    assert creates == len(stored)  # every stored call has its audit event, from the same transaction
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(db.engine.url.database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:
        with db.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT count(*) FROM call")) == len(stored)


def test_a_key_whose_work_committed_but_whose_answer_was_lost_never_runs_twice(make, api):
    _, team, people = make.unit()
    officer = api(people["officer"])
    headers = {"Idempotency-Key": "answer-lost"}
    first = officer.post("/api/v1/calls", json=call_payload(team_id=team.id), headers=headers)
    # The state a crash leaves between the work's commit and storing its answer: the marker that
    # the work's own transaction wrote, and no answer, for longer than the stale limit.
    record = db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "answer-lost"))
    record.status_code, record.response_body = WORK_COMMITTED, None
    record.created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    retry = officer.post("/api/v1/calls", json=call_payload(team_id=team.id), headers=headers)

    assert first.status_code == 201
    assert retry.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 1

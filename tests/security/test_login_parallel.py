"""Failed logins counted atomically: parallel guesses against a live, threaded server."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, User
from tests.factories import PASSWORD
from tests.support.live import run_together

PARALLEL = 40


def _guess(live_server, email, password):
    def post(http, _):
        return http.post(f"{live_server}/api/v1/auth/token", json={"email": email, "password": password}, timeout=120)
    return post


def _evaluated() -> int:
    """Attempts that reached the credential check (every one writes a `login` event that is not `rate_limited`)."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "login", AuditEvent.outcome != "rate_limited")
    )


def test_forty_parallel_wrong_passwords_then_the_right_one_is_refused(live_server, make):
    user = make.user("officer")
    email = user.email
    db.session.remove()

    responses = run_together(PARALLEL, _guess(live_server, email, "wrong password, guess"))
    statuses = [r.status_code for r in responses]
    right = run_together(1, _guess(live_server, email, PASSWORD))[0]

    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 20 and statuses.count(429) >= PARALLEL - 20
    assert right.status_code in (401, 429)
    assert _evaluated() <= 20
    print(f"\n{PARALLEL} parallel guesses: {statuses.count(401)} evaluated, {statuses.count(429)} refused with 429")


def test_parallel_wrong_passwords_lock_the_account_after_five_evaluated(live_server, make, app, monkeypatch):
    # A high address limit isolates the per-account lockout from the per-address limit.
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", 1000)
    user = make.user("officer")
    email, user_id = user.email, user.id
    db.session.remove()

    responses = run_together(PARALLEL, _guess(live_server, email, "wrong password, guess"))
    right = run_together(1, _guess(live_server, email, PASSWORD))[0]

    assert {r.status_code for r in responses} == {401}
    assert right.status_code == 401
    checked = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "login", AuditEvent.outcome == "failure")
    )
    assert checked <= 5  # only the first five guesses were compared with the password
    assert db.session.get(User, user_id).locked_until is not None
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "lockout")) == 1

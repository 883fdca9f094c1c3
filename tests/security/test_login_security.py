"""Passwords, lockout, sessions (idle, absolute, logout, deactivation), tokens, cookies, CSRF, rate limits."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from mhu.auth.passwords import password_problems
from mhu.extensions import db
from mhu.models import AuditEvent, LoginThrottle
from mhu.models.types import utcnow
from mhu.services import users
from tests.factories import PASSWORD, login


def form_login(client, email, password):
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    return client.post("/login", data={"email": email, "password": password, "csrf_token": "t"})


def test_password_policy_is_about_length_and_common_passwords_not_composition():
    assert password_problems("short pass") != []
    assert password_problems("password1234") != []
    assert password_problems("aaaaaaaaaaaaaaaa") != []
    assert password_problems("me@example.test", email="me@example.test") != []
    assert password_problems("lowercase words only here") == []
    assert password_problems("the night shift keeps a thermos of strong coffee by the radio " * 4) == []


@pytest.mark.parametrize("password", ["password12345", "P@ssw0rd1234", "Welcome@2024", "Summer2024!!", "x" * 200])
def test_guessable_passwords_are_refused_with_a_reason(password):
    problems = password_problems(password, email="me@example.test")
    assert problems and all(len(problem) > 20 for problem in problems)


def test_create_user_refuses_a_weak_password_with_a_field_message(make):
    from mhu.services import ServiceError

    with pytest.raises(ServiceError) as refused:
        users.create_user(email="new@example.test", password="short", role="officer", agency=make.agency())
    assert "password" in refused.value.errors


def test_five_failures_lock_the_account_and_the_answer_never_reveals_it(client, make):
    user = make.user("officer")
    answers = [form_login(client, user.email, "wrong password here") for _ in range(5)]
    locked = form_login(client, user.email, PASSWORD)  # right password, but locked
    unknown = form_login(client, "nobody@example.test", "wrong password here")
    assert {a.status_code for a in answers + [locked, unknown]} == {401}
    bodies = {r.get_data(as_text=True) for r in (answers[0], locked, unknown)}
    assert len(bodies) == 1  # same page whether the account exists, is wrong, or is locked
    db.session.refresh(user)
    assert user.locked_until is not None
    assert timedelta(minutes=9) < user.locked_until - utcnow() <= timedelta(minutes=10)
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "lockout")) == 1


def test_the_lock_lifts_after_ten_minutes(client, make):
    user = make.user("officer")
    for _ in range(5):
        form_login(client, user.email, "wrong password here")
    db.session.refresh(user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert form_login(client, user.email, PASSWORD).status_code == 302


def test_token_endpoint_answers_the_same_for_unknown_and_wrong(client, make):
    user = make.user("officer")
    wrong = client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong password"})
    unknown = client.post("/api/v1/auth/token", json={"email": "none@example.test", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_idle_session_ends_after_thirty_minutes(client, make):
    user = make.user("officer")
    login(client, user)
    assert client.get("/field/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - 31 * 60
    response = client.get("/field/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_ends_after_twelve_hours_even_when_active(client, make):
    user = make.user("officer")
    login(client, user)
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 12 * 3600 - 1
    response = client.get("/field/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_within_twelve_hours_keeps_working(client, make):
    user = make.user("officer")
    login(client, user)
    with client.session_transaction() as session:
        session["login_at"] = session["login_at"] - 11 * 3600
    assert client.get("/field/").status_code == 200


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, make):
    user = make.user("officer")
    login(client, user)
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/field/").status_code == 200
    assert client.post("/logout", data={"csrf_token": "t"}).status_code == 302
    response = thief.get("/field/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivation_ends_sessions_and_tokens(app, client, make, api):
    user = make.user("officer")
    admin = make.user("admin", agency=user.agency)
    login(client, user)
    bearer = api(user)
    assert bearer.get("/api/v1/me").status_code == 200
    users.deactivate_user(user=user, actor=admin)
    assert client.get("/field/").status_code == 302
    assert bearer.get("/api/v1/me").status_code == 401
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivate"))
    assert event.user_id == admin.id and event.object_id == str(user.id)


def test_a_revoked_token_stops_working(make, api):
    user = make.user("supervisor")
    bearer = api(user)
    assert bearer.get("/api/v1/me").status_code == 200
    assert bearer.delete("/api/v1/auth/token").status_code == 204
    assert bearer.get("/api/v1/me").status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    response = login(client, make.user("officer"))
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_when_configured_as_in_production(app, client, make):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = login(client, make.user("officer"))
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie


def test_forms_without_the_csrf_token_are_refused(client, make):
    user = make.user("officer")
    no_token = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert no_token.status_code == 400
    login(client, user)
    assert client.post("/logout", data={}).status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400


def test_cookie_authenticated_api_writes_need_the_csrf_header(client, make):
    _, team, people = make.unit()
    login(client, people["officer"])
    refused = client.post("/api/v1/calls", json={"received_at": "2026-03-10T14:00:00+00:00"})
    assert refused.status_code == 400


def test_login_is_rate_limited_per_source_address(app, client, make):
    user = make.user("officer")
    app.config["LOGIN_RATE_LIMIT"] = 3
    try:
        for n in range(3):
            form_login(client, f"guess{n}@example.test", "wrong password here")
        limited = form_login(client, user.email, PASSWORD)
        token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = 20
    assert limited.status_code == 429
    assert token.status_code == 429
    assert token.json["code"] == 429 and "Retry-After" in token.headers
    refused = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.outcome == "rate_limited"))
    assert refused == 2


def test_rate_limit_counts_only_attempts_of_the_current_window(app, client, make):
    user = make.user("officer")
    app.config["LOGIN_RATE_LIMIT"] = 3
    try:
        for n in range(3):
            form_login(client, f"guess{n}@example.test", "wrong password here")
        db.session.execute(sa.update(LoginThrottle).values(window_start=utcnow() - timedelta(minutes=6)))
        db.session.commit()
        allowed = form_login(client, user.email, PASSWORD)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = 20
    assert allowed.status_code == 302


def test_every_login_attempt_costs_exactly_one_password_verification(client, make, monkeypatch):
    from mhu.services import users as user_service

    calls = []
    real = user_service.verify_password
    monkeypatch.setattr(user_service, "verify_password", lambda h, p: calls.append(1) or real(h, p))
    user = make.user("officer")
    inactive = make.user("officer", agency=user.agency)
    inactive.active = False
    locked = make.user("officer", agency=user.agency)
    locked.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    attempts = {
        "unknown": ("nobody@example.test", PASSWORD),
        "wrong": (user.email, "wrong password here"),
        "inactive": (inactive.email, PASSWORD),
        "locked": (locked.email, PASSWORD),
        "right": (user.email, PASSWORD),
    }
    cost = {}
    for name, (email, password) in attempts.items():
        calls.clear()
        client.post("/api/v1/auth/token", json={"email": email, "password": password})
        cost[name] = len(calls)
    assert cost == {name: 1 for name in attempts}


def test_a_successful_login_does_not_count_against_its_address(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", 2)
    user = make.user("officer")
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong password"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong password"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 429

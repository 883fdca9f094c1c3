"""Two-step sign-in through the API: enrolment, confirmation, login with a code, replay, lockout,
recovery codes, the agency requirement and the administrator's reset."""

import time

import pyotp
import pytest

from mhu.extensions import db
from mhu.models import AuditEvent
from tests.factories import PASSWORD


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _enrol(api, user) -> dict:
    client = api(user)
    started = client.post("/api/v1/me/mfa/totp")
    assert started.status_code == 201, started.json
    confirmed = client.post("/api/v1/me/mfa/totp/confirm", json={"code": _code(started.json["secret"])})
    assert confirmed.status_code == 204, confirmed.json
    return started.json


def _token(client, user, **extra):
    return client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD, **extra})


@pytest.fixture
def officer(make):
    _, _, people = make.unit()
    return people["officer"]


def test_enrolment_gives_secret_uri_and_ten_recovery_codes(api, officer):
    started = api(officer).post("/api/v1/me/mfa/totp")

    assert started.status_code == 201
    body = started.json
    assert set(body) == {"secret", "otpauth_uri", "recovery_codes"}
    assert body["otpauth_uri"].startswith("otpauth://totp/MHU:") and f"secret={body['secret']}" in body["otpauth_uri"]
    assert len(body["recovery_codes"]) == 10 and len(set(body["recovery_codes"])) == 10


def test_a_wrong_confirmation_code_is_422_and_leaves_logins_password_only(api, client, officer):
    secret = api(officer).post("/api/v1/me/mfa/totp").json["secret"]
    wrong = str((int(_code(secret)) + 1) % 1_000_000).zfill(6)

    response = api(officer).post("/api/v1/me/mfa/totp/confirm", json={"code": wrong})

    assert response.status_code == 422 and "code" in response.json["errors"]["json"]
    assert _token(client, officer).status_code == 200  # still pending: the password is enough


def test_after_confirmation_password_alone_is_401_with_mfa_required(api, client, officer):
    _enrol(api, officer)

    response = _token(client, officer)

    assert response.status_code == 401
    assert response.json["mfa_required"] is True
    assert "access_token" not in response.json


def test_password_and_fresh_code_give_a_token_and_the_code_cannot_be_reused(api, client, officer):
    secret = _enrol(api, officer)["secret"]
    code = _code(secret, steps_ahead=1)  # the confirmation used the current step

    first = _token(client, officer, otp=code)
    replay = _token(client, officer, otp=code)

    assert first.status_code == 200 and first.json["access_token"]
    assert replay.status_code == 401 and "access_token" not in replay.json


def test_a_recovery_code_works_once(api, client, officer):
    codes = _enrol(api, officer)["recovery_codes"]

    assert _token(client, officer, otp=codes[0].upper()).status_code == 200
    assert _token(client, officer, otp=codes[0]).status_code == 401
    assert _token(client, officer, otp=codes[1]).status_code == 200
    assert db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "mfa.recovery_code_used")
    ) == 2


def test_wrong_codes_count_toward_the_lockout(app, api, client, officer):
    secret = _enrol(api, officer)["secret"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _token(client, officer, otp="000000").status_code == 401

    locked = _token(client, officer, otp=_code(secret, steps_ahead=1))

    assert locked.status_code == 401 and not locked.json.get("mfa_required")


def test_enrolling_twice_is_409(api, officer):
    _enrol(api, officer)

    assert api(officer).post("/api/v1/me/mfa/totp").status_code == 409


def test_the_secret_is_not_stored_in_clear(api, officer):
    secret = _enrol(api, officer)["secret"]

    stored = db.session.execute(db.text("SELECT secret_encrypted FROM totp_factor")).scalar_one()
    assert secret not in stored


def test_agency_requirement_blocks_everything_but_setup_until_enrolled(api, officer):
    officer.agency.mfa_required = True
    db.session.commit()
    client = api(officer)

    blocked = client.get("/api/v1/calls")
    me = client.get("/api/v1/me")
    _enrol(api, officer)
    after = client.get("/api/v1/calls")

    assert blocked.status_code == 403 and blocked.json["mfa_enrollment_required"] is True
    assert me.status_code == 200
    assert after.status_code == 200


def test_requirement_does_not_apply_to_roles_without_identified_records(api, make):
    agency, _, people = make.unit()
    agency.mfa_required = True
    db.session.commit()

    assert api(people["admin"]).get("/api/v1/me").status_code == 200
    assert api(people["partner"]).get("/api/v1/partner/metrics/outcomes?from=2026-01-01&to=2026-01-31").status_code == 200


def test_admin_resets_a_factor_and_the_reset_is_audited(api, client, make):
    _, _, people = make.unit()
    officer = people["officer"]
    _enrol(api, officer)

    response = api(people["admin"]).delete(f"/api/v1/admin/users/{officer.id}/mfa")

    assert response.status_code == 204
    assert _token(client, officer).status_code == 200
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event.user_id == people["admin"].id and event.object_id == str(officer.id)


@pytest.mark.parametrize("role", ["officer", "clinician", "supervisor", "partner"])
def test_only_admins_reset_factors(api, make, role):
    _, _, people = make.unit()

    assert api(people[role]).delete(f"/api/v1/admin/users/{people['officer'].id}/mfa").status_code == 403


def test_admin_of_another_agency_gets_404(api, make):
    _, _, ours = make.unit()
    _, _, theirs = make.unit()

    assert api(theirs["admin"]).delete(f"/api/v1/admin/users/{ours['officer'].id}/mfa").status_code == 404


def test_anonymous_enrolment_is_401(client):
    assert client.post("/api/v1/me/mfa/totp").status_code == 401

"""flask commands: create-user (password from a prompt or stdin, never argv) and demo."""

import stat

import pyotp
import sqlalchemy as sa

from mhu.auth.passwords import verify_password
from mhu.extensions import db
from mhu.models import Agency, AgencySso, Call, Team, User
from mhu.services import mfa

GOOD_PASSWORD = "a long enough pass phrase 7"


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_create_user_reads_password_from_stdin_and_creates_the_agency(runner):
    result = runner.invoke(
        args=["create-user", "Ana.Ruiz@Example.org", "--role", "officer", "--agency", "Lakeside PD",
              "--timezone", "America/Denver", "--cit-level", "cit_40h"],
        input=GOOD_PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ana.ruiz@example.org"))
    assert user.role == "officer"
    assert user.cit_level == "cit_40h"
    assert user.agency.name == "Lakeside PD"
    assert user.agency.timezone == "America/Denver"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert GOOD_PASSWORD not in result.output


def test_create_user_creates_new_teams_and_reuses_an_existing_agency_and_team(runner, make):
    agency = make.agency("Lakeside PD")
    existing = make.team(agency, "Night Shift")

    result = runner.invoke(
        args=["create-user", "clin@example.org", "--role", "clinician", "--agency", "Lakeside PD",
              "--team", "Night Shift", "--team", "Day Shift"],
        input=GOOD_PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "clin@example.org"))
    assert user.agency_id == agency.id
    assert sorted(t.name for t in user.teams) == ["Day Shift", "Night Shift"]
    assert existing.id in user.team_ids
    assert count(Agency) == 1
    assert count(Team) == 2


def test_create_user_has_no_way_to_pass_the_password_on_the_command_line(runner):
    result = runner.invoke(
        args=["create-user", "x@example.org", "--role", "admin", "--agency", "A",
              "--password", GOOD_PASSWORD],
        input=GOOD_PASSWORD + "\n",
    )

    assert result.exit_code == 2
    assert "No such option" in result.output
    assert count(User) == 0


def test_weak_password_is_refused_with_reasons_and_nothing_is_created(runner):
    result = runner.invoke(
        args=["create-user", "weak@example.org", "--role", "officer", "--agency", "New Agency",
              "--team", "New Team"],
        input="short\n",
    )

    assert result.exit_code == 1
    assert "password:" in result.output
    assert "at least 12 characters" in result.output
    assert count(User) == 0
    assert count(Agency) == 0
    assert count(Team) == 0


def test_empty_stdin_is_refused_as_a_weak_password(runner):
    result = runner.invoke(args=["create-user", "e@example.org", "--role", "officer", "--agency", "A"], input="")

    assert result.exit_code == 1
    assert count(User) == 0


def test_existing_email_is_refused_without_touching_the_user(runner, make):
    user = make.user("officer", email="taken@example.org")
    old_hash = user.password_hash

    result = runner.invoke(
        args=["create-user", "taken@example.org", "--role", "admin", "--agency", "Other"],
        input=GOOD_PASSWORD + "\n",
    )

    assert result.exit_code == 1
    assert "email: Already registered." in result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash
    assert db.session.get(User, user.id).role == "officer"
    assert db.session.scalar(sa.select(Agency).where(Agency.name == "Other")) is None


def test_unknown_role_and_time_zone_are_usage_errors(runner):
    bad_role = runner.invoke(args=["create-user", "r@example.org", "--role", "chief", "--agency", "A"], input=GOOD_PASSWORD + "\n")
    bad_zone = runner.invoke(
        args=["create-user", "r@example.org", "--role", "admin", "--agency", "A", "--timezone", "Mars/Olympus"],
        input=GOOD_PASSWORD + "\n",
    )

    assert bad_role.exit_code == 2
    assert bad_zone.exit_code == 2
    assert "IANA time zone" in bad_zone.output
    assert count(User) == 0


def test_demo_uses_the_configured_password_and_prints_the_users(runner, monkeypatch):
    monkeypatch.setenv("MHU_DEMO_PASSWORD", GOOD_PASSWORD)

    result = runner.invoke(args=["demo", "--calls", "60", "--seed", "3"])

    assert result.exit_code == 0, result.output
    assert f"password: {GOOD_PASSWORD}" in result.output
    for role in ("officer", "clinician", "supervisor", "partner", "admin"):
        assert f"{role}@example.org" in result.output
        user = db.session.scalar(sa.select(User).where(User.email == f"{role}@example.org"))
        assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert count(Call, Call.responder_type != "patrol_only") == 60


def test_demo_twice_adds_nothing_the_second_time(runner, monkeypatch):
    monkeypatch.setenv("MHU_DEMO_PASSWORD", GOOD_PASSWORD)
    runner.invoke(args=["demo", "--calls", "40"])
    before = (count(Call), count(User), count(Agency))

    again = runner.invoke(args=["demo", "--calls", "40"])

    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert (count(Call), count(User), count(Agency)) == before


def test_demo_stores_a_generated_password_for_the_owner_and_prints_it_on_later_runs(runner, monkeypatch, tmp_path):
    monkeypatch.delenv("MHU_DEMO_PASSWORD", raising=False)
    monkeypatch.setitem(runner.app.config, "DEMO_PASSWORD", None)
    password_file = tmp_path / "demo_password"

    first = runner.invoke(args=["demo", "--calls", "30", "--password-file", str(password_file)])
    second = runner.invoke(args=["demo", "--calls", "30", "--password-file", str(password_file)])

    assert first.exit_code == 0, first.output
    password = password_file.read_text().strip()
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert f"password: {password}" in first.output
    assert f"password: {password}" in second.output
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    assert verify_password(admin.password_hash, password)


def test_demo_with_a_weak_configured_password_fails_and_creates_nothing(runner, monkeypatch):
    monkeypatch.setenv("MHU_DEMO_PASSWORD", "demo")

    result = runner.invoke(args=["demo", "--calls", "20"])

    assert result.exit_code == 1
    assert "password:" in result.output
    assert count(User) == 0
    assert count(Agency) == 0
    assert count(Call) == 0


def test_set_role_changes_the_role_ends_sessions_and_is_audited(make, runner, api):
    from mhu.models import AuditEvent, User
    from mhu.extensions import db
    import sqlalchemy as sa

    _, _, people = make.unit()
    officer = people["officer"]
    client = api(officer)
    nonce = officer.session_nonce

    result = runner.invoke(args=["set-role", officer.email, "supervisor"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, officer.id)
    assert user.role == "supervisor" and user.session_nonce != nonce
    assert client.get("/api/v1/me").status_code == 401
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(officer.id))).all()
    assert "user.role_change" in actions


def test_deactivate_user_command_locks_the_account_out(make, runner, client):
    from tests.factories import PASSWORD

    _, _, people = make.unit()

    result = runner.invoke(args=["deactivate-user", people["clinician"].email])

    assert result.exit_code == 0, result.output
    response = client.post("/api/v1/auth/token", json={"email": people["clinician"].email, "password": PASSWORD})
    assert response.status_code == 401


def test_reset_mfa_removes_the_authenticator(runner, api, make):
    _, _, people = make.unit()
    officer = people["officer"]
    started = api(officer).post("/api/v1/me/mfa/totp").json
    api(officer).post("/api/v1/me/mfa/totp/confirm", json={"code": pyotp.TOTP(started["secret"]).now()})

    result = runner.invoke(args=["reset-mfa", officer.email])

    assert result.exit_code == 0, result.output
    assert "reset" in result.output
    assert not mfa.enrolled(officer)


def test_configure_sso_reads_the_secret_from_stdin(runner, make):
    agency, _, _ = make.unit()

    result = runner.invoke(args=["configure-sso", "--agency", agency.name, "--issuer", "https://idp.example.test/",
                                 "--client-id", "mhu", "--role-claim", "groups", "--role", "mhu-officers=officer",
                                 "--disable-passwords"], input="client-secret-value\n")

    assert result.exit_code == 0, result.output
    config = db.session.scalar(sa.select(AgencySso).where(AgencySso.agency_id == agency.id))
    assert config.issuer == "https://idp.example.test" and config.role_map == {"mhu-officers": "officer"}
    assert config.local_passwords_disabled and "client-secret-value" not in config.client_secret_sealed


def test_configure_sso_refuses_an_unknown_role(runner, make):
    agency, _, _ = make.unit()

    result = runner.invoke(args=["configure-sso", "--agency", agency.name, "--issuer", "https://idp.example.test",
                                 "--client-id", "mhu", "--role", "x=sheriff"], input="s\n")

    assert result.exit_code == 1 and "not a role: sheriff" in result.output

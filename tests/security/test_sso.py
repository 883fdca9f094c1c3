"""Single sign-on end to end against a real OpenID Connect provider on a loopback port
(tests/support/oidc_provider.py): sign-in, account matching, role claims, and the refusals."""

from urllib.parse import urlsplit

import pytest

from mhu.extensions import db
from mhu.models import AuditEvent, User
from mhu.services import sso, users
from tests.factories import PASSWORD, login
from tests.support.oidc_provider import Provider

CLIENT_ID, CLIENT_SECRET = "mhu-test-client", "provider-client-secret-for-tests"


@pytest.fixture(scope="module")
def served_provider():
    with Provider(CLIENT_ID, CLIENT_SECRET).serve() as provider:
        yield provider


@pytest.fixture
def provider(served_provider):
    served_provider.audience, served_provider.lifetime, served_provider.person = None, 300, {}
    sso._discovery.clear()
    return served_provider


@pytest.fixture
def lakeside(make, provider):
    agency, team, people = make.unit()
    sso.configure(agency=agency, issuer=provider.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return agency, people


def sign_in(client, provider, agency):
    """Start at MHU, pass the provider, come back: MHU's answer to the callback."""
    start = client.get(f"/login/sso/{agency.id}")
    assert start.status_code == 302, start.get_data(as_text=True)
    assert start.headers["Location"].startswith(f"{provider.url}/authorize?")
    assert "code_challenge_method=S256" in start.headers["Location"]
    back = urlsplit(provider.signed_in_request(start.headers["Location"]))
    return client.get(f"{back.path}?{back.query}")


def test_a_provisioned_account_signs_in_by_verified_email(client, provider, lakeside):
    agency, people = lakeside
    provider.person = {"sub": "idp-001", "email": people["officer"].email.upper(), "email_verified": True}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/field/")
    assert client.get("/api/v1/me").get_json()["email"] == people["officer"].email
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "login.sso"))
    assert event.user_id == people["officer"].id and event.outcome == "success"


def test_the_link_to_the_provider_account_outlives_an_email_change(client, provider, lakeside):
    agency, people = lakeside
    provider.person = {"sub": "idp-002", "email": people["clinician"].email, "email_verified": True}
    sign_in(client, provider, agency)
    with client.session_transaction() as session:
        session["csrf_token"] = "sso-test"
    client.post("/logout", data={"csrf_token": "sso-test"})

    provider.person = {"sub": "idp-002", "email": "renamed@example.test", "email_verified": True}
    answer = sign_in(client, provider, agency)

    assert answer.status_code == 302
    assert client.get("/api/v1/me").get_json()["email"] == people["clinician"].email


def test_an_unverified_email_matches_no_account(client, provider, lakeside):
    agency, people = lakeside
    provider.person = {"sub": "idp-003", "email": people["officer"].email, "email_verified": False}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403 and "No MHU account" in answer.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_account_is_refused(client, provider, lakeside):
    agency, people = lakeside
    users.deactivate_user(user=people["supervisor"], actor=None)
    provider.person = {"sub": "idp-004", "email": people["supervisor"].email, "email_verified": True}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403 and "deactivated" in answer.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_an_id_token_for_another_audience_is_refused(client, provider, lakeside):
    agency, people = lakeside
    provider.audience = "some-other-application"
    provider.person = {"sub": "idp-005", "email": people["officer"].email, "email_verified": True}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403 and "could not be verified" in answer.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_id_token_is_refused(client, provider, lakeside):
    agency, people = lakeside
    provider.lifetime = -600  # beyond the clock leeway
    provider.person = {"sub": "idp-006", "email": people["officer"].email, "email_verified": True}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403 and "could not be verified" in answer.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_a_callback_with_another_state_is_refused(client, provider, lakeside):
    agency, people = lakeside
    provider.person = {"sub": "idp-007", "email": people["officer"].email, "email_verified": True}
    start = client.get(f"/login/sso/{agency.id}")
    back = urlsplit(provider.signed_in_request(start.headers["Location"]))
    forged = back.query.replace("state=", "state=x")

    answer = client.get(f"{back.path}?{forged}")

    assert answer.status_code == 403 and "does not match" in answer.get_data(as_text=True)


def test_a_role_claim_provisions_a_new_account_with_the_mapped_role(client, provider, lakeside):
    agency, _ = lakeside
    sso.configure(agency=agency, issuer=provider.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                  role_claim="groups", role_map={"mhu-clinicians": "clinician"})
    provider.person = {"sub": "idp-008", "email": "new.clinician@example.test", "email_verified": True,
                       "name": "New Clinician", "groups": ["staff", "mhu-clinicians"]}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 302
    created = db.session.scalar(db.select(User).where(User.email == "new.clinician@example.test"))
    assert created.role == "clinician" and created.agency_id == agency.id


def test_without_a_mapped_role_the_sign_in_is_refused(client, provider, lakeside):
    agency, people = lakeside
    sso.configure(agency=agency, issuer=provider.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                  role_claim="groups", role_map={"mhu-clinicians": "clinician"})
    provider.person = {"sub": "idp-009", "email": people["officer"].email, "email_verified": True, "groups": ["staff"]}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403 and "no MHU role" in answer.get_data(as_text=True)


def test_an_account_of_another_agency_is_not_signed_in(client, provider, lakeside, make):
    agency, _ = lakeside
    _, _, others = make.unit()
    provider.person = {"sub": "idp-010", "email": others["officer"].email, "email_verified": True}

    answer = sign_in(client, provider, agency)

    assert answer.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_local_passwords_can_be_turned_off(client, provider, lakeside):
    agency, people = lakeside
    sso.configure(agency=agency, issuer=provider.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                  local_passwords_disabled=True)

    assert login(client, people["officer"], PASSWORD).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": people["officer"].email, "password": PASSWORD}).status_code == 401
    provider.person = {"sub": "idp-011", "email": people["officer"].email, "email_verified": True}
    assert sign_in(client, provider, agency).status_code == 302


def test_the_login_page_offers_the_agencys_provider(client, lakeside):
    agency, _ = lakeside

    page = client.get("/login").get_data(as_text=True)

    assert f"Sign in with {agency.name}" in page

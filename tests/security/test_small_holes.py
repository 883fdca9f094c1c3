"""The probe's smaller holes: cross-agency assignment, agency-less audit events, the CSRF skip,
refused access in the trail, authentication before validation, and the production secret."""

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.services import audit
from tests.factories import call_payload, login


def _followup(api, people):
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload(followup_required=True)).json
    return api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/followups").json[0]


@pytest.mark.parametrize("assignee", ["other_agency", "unknown"])
def test_a_followup_cannot_be_reassigned_outside_the_agency(make, api, assignee):
    _, _, people = make.unit()
    _, _, others = make.unit()
    followup = _followup(api, people)
    user_id = others["clinician"].id if assignee == "other_agency" else 999_999
    response = api(people["clinician"]).patch(f"/api/v1/followups/{followup['id']}", json={"assigned_to_id": user_id},
                                              headers={"If-Match": f'"{followup["version"]}"'})
    assert response.status_code == 422, response.json
    assert "assigned_to_id" in response.json["errors"]["json"]


def test_agency_less_events_are_not_shown_to_an_agency_admin(make, api, client, runner):
    _, _, people = make.unit()
    client.post("/api/v1/auth/token", json={"email": "nobody@example.test", "password": "wrong password"})
    audit.record(action="login", actor=people["officer"], object_type="user", outcome="failure", commit=True)

    shown = api(people["admin"]).get("/api/v1/audit?action=login").json["items"]
    exported = runner.invoke(args=["audit-export", "--system"])

    assert [event["agency_id"] for event in shown] == [people["admin"].agency_id]  # positive control: own event
    assert exported.exit_code == 0
    assert exported.output.count(",login,") == 1  # the unknown email's failure, for the operator only


def test_an_authorization_header_does_not_switch_off_csrf_for_a_cookie_session(make, client):
    _, team, people = make.unit()
    login(client, people["officer"])
    with client.session_transaction() as session:
        session["csrf_token"] = "test-csrf"
    response = client.post("/api/v1/calls", json=call_payload(team_id=team.id), headers={"Authorization": "Bearer junk"})
    assert response.status_code == 400  # the cookie authenticated it, so the CSRF token is required
    allowed = client.post("/api/v1/calls", json=call_payload(team_id=team.id),
                          headers={"Authorization": "Bearer junk", "X-CSRF-Token": "test-csrf"})
    assert allowed.status_code == 201


def test_refused_access_is_audited_without_the_body(make, api):
    _, team, people = make.unit()
    _, _, others = make.unit()
    theirs = api(others["officer"]).post("/api/v1/calls", json=call_payload()).json["id"]

    assert api(people["officer"]).get(f"/api/v1/calls/{theirs}").status_code == 404
    assert api(people["partner"]).get("/api/v1/calls").status_code == 403

    events = db.session.execute(sa.select(AuditEvent.user_id, AuditEvent.outcome, AuditEvent.object_id)
                                .where(AuditEvent.action == "access.refused").order_by(AuditEvent.id)).all()
    assert events == [(people["officer"].id, "not_found", theirs), (people["partner"].id, "forbidden", None)]


@pytest.mark.parametrize("path", [
    "/api/v1/metrics/summary?from=not-a-date", "/api/v1/audit?user_id=x", "/api/v1/partner/metrics/outcomes?to=x",
    "/api/v1/metrics/series?interval=year",
])
def test_anonymous_requests_get_401_before_their_parameters_are_checked(client, path):
    assert client.get(path).status_code == 401


@pytest.mark.parametrize("key", ["a" * 32, "ab" * 20, "0123456789" * 4, "changeme" * 5])
def test_production_refuses_a_secret_without_entropy(monkeypatch, key):
    from config import ProductionConfig
    from mhu import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="MHU_SECRET_KEY"):
        create_app("production")


def test_production_accepts_a_random_secret(monkeypatch):
    import secrets

    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secrets.token_hex(32))
    ProductionConfig.validate()

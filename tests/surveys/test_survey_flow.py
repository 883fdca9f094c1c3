"""Anonymous surveys through their pages: issued on a call by officers and clinicians, answered
once without login, stored without identifiers, comments reviewed before supervisors see them."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, SurveyInvitation, SurveyResponse, SurveyThrottle
from mhu.models.types import utcnow
from mhu.services.localtime import agency_today
from tests.dashboards.test_guard import router_request
from tests.factories import call_payload, login

TOKEN_LINK = re.compile(r'href="http://localhost/s/([A-Za-z0-9_-]+)"')


def _csrf(client):
    with client.session_transaction() as session:
        return session.setdefault("csrf_token", "form-csrf")


def _call(api, user, **overrides):
    response = api(user).post("/api/v1/calls", json=call_payload(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def _issue(client, user, call_id):
    login(client, user)
    response = client.post(f"/field/calls/{call_id}/survey", data={"csrf_token": _csrf(client)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    token = TOKEN_LINK.search(page).group(1)
    client.post("/logout", data={"csrf_token": _csrf(client)})
    return token, page


def _answer(client, token, **answers):
    return client.post(f"/s/{token}", data={"csrf_token": _csrf(client), **answers})


@pytest.fixture
def survey_unit(make, api):
    agency, team, people = make.unit()
    call = _call(api, people["officer"])
    return agency, team, people, call


@pytest.mark.parametrize("role", ["officer", "clinician"])
def test_officers_and_clinicians_issue_a_link_and_qr_code_storing_only_the_token_hash(client, survey_unit, role):
    _, _, people, call = survey_unit
    token, page = _issue(client, people[role], call["id"])

    assert "<svg" in page and "QR code of the survey link" in page
    stored = db.session.scalars(sa.select(SurveyInvitation)).all()
    assert len(stored) == 1 and stored[0].token_hash != token and token not in stored[0].token_hash
    assert str(stored[0].call_id) == call["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "survey.issue")) == 1


@pytest.mark.parametrize("role", ["supervisor", "partner", "admin"])
def test_other_roles_cannot_issue_a_survey(client, survey_unit, role):
    _, _, people, call = survey_unit
    login(client, people[role])
    response = client.post(f"/field/calls/{call['id']}/survey", data={"csrf_token": _csrf(client)})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation)) == 0


def test_another_agencys_call_is_missing(client, make, api, survey_unit):
    _, _, people, call = survey_unit
    _, _, strangers = make.unit()
    login(client, strangers["clinician"])
    assert client.post(f"/field/calls/{call['id']}/survey", data={"csrf_token": _csrf(client)}).status_code == 404


def test_answer_is_stored_with_agency_team_and_month_only_and_the_link_works_once(client, survey_unit):
    agency, team, people, call = survey_unit
    token, _ = _issue(client, people["clinician"], call["id"])

    form = client.get(f"/s/{token}")
    assert form.status_code == 200 and "The team treated me with respect." in form.get_data(as_text=True)
    response = _answer(client, token, respected="5", safer="4", helped="3", would_call_again="5",
                       comment="Kind people.")
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)

    saved = db.session.scalars(sa.select(SurveyResponse)).one()
    assert (saved.agency_id, saved.team_id) == (agency.id, team.id)
    assert saved.month == agency_today(agency.id).replace(day=1)
    assert (saved.respected, saved.safer, saved.helped, saved.would_call_again) == (5, 4, 3, 5)
    assert saved.comment == "Kind people." and saved.comment_state == "pending"
    columns = set(SurveyResponse.__table__.columns.keys())
    assert not columns & {"call_id", "person_id", "created_at", "source_ip", "invitation_id", "user_id"}
    # The invitation is gone, so nothing links the answer to the call; the link now answers 404.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation)) == 0
    assert client.get(f"/s/{token}").status_code == 404
    assert _answer(client, token, respected="1").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
    # Submitting writes no audit event (an event keeps the time and the address).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.user_id.is_(None))) == 0


def test_expired_and_unknown_links_get_a_clear_page_not_an_error(client, survey_unit):
    _, _, people, call = survey_unit
    token, _ = _issue(client, people["officer"], call["id"])
    db.session.execute(sa.update(SurveyInvitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()

    expired = client.get(f"/s/{token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert _answer(client, token, respected="4").status_code == 410
    for bad in ("nope", "x" * 300):
        response = client.get(f"/s/{bad}")
        assert response.status_code == 404, bad
        assert "does not work" in response.get_data(as_text=True)
    for odd in ("%00", "..%2F", "%C0"):
        assert client.get(f"/s/{odd}").status_code in (400, 404), odd
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


def test_bad_answers_get_per_field_messages_and_keep_the_link(client, survey_unit):
    _, _, people, call = survey_unit
    token, _ = _issue(client, people["officer"], call["id"])

    response = _answer(client, token, respected="9", comment="x" * 1001)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose one of the five answers" in page and "under 1000 characters" in page
    assert _answer(client, token).status_code == 422  # nothing answered
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation)) == 1
    assert _answer(client, token, safer="2").status_code == 200


def test_a_post_without_the_form_token_is_refused(client, survey_unit):
    _, _, people, call = survey_unit
    token, _ = _issue(client, people["officer"], call["id"])
    assert client.post(f"/s/{token}", data={"respected": "5"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0


def test_the_public_page_is_rate_limited_per_address(app, client, survey_unit, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_RATE_LIMIT", 3)
    for _ in range(3):
        assert client.get("/s/unknown-token").status_code == 404
    limited = client.get("/s/unknown-token")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "600"
    assert client.get("/s/unknown-token", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404


def test_comments_reach_supervisors_only_after_a_clinician_publishes_them(client, api, survey_unit):
    _, _, people, call = survey_unit
    for comment in ("Thank you all.", "Officer Smith at 12 Elm St was rude."):
        token, _ = _issue(client, people["officer"], call["id"])
        _answer(client, token, respected="4", comment=comment)
    supervisor = api(people["supervisor"])
    period = "from=2026-01-01&to=2030-12-31"

    login(client, people["supervisor"])
    client.get("/dashboard/")
    assert "Thank you all." not in router_request(client, "/dashboard/surveys", "?" + period).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client)})

    login(client, people["clinician"])
    queue = client.get("/field/surveys/review").get_data(as_text=True)
    assert "Thank you all." in queue and "12 Elm St" in queue
    ids = dict((comment, str(row.id)) for row in db.session.scalars(sa.select(SurveyResponse)) for comment in [row.comment])
    assert client.post(f"/field/surveys/review/{ids['Thank you all.']}",
                       data={"csrf_token": _csrf(client), "decision": "maybe"}).status_code == 422
    assert client.post(f"/field/surveys/review/{ids['Thank you all.']}",
                       data={"csrf_token": _csrf(client), "decision": "approve"}).status_code == 302
    assert client.post(f"/field/surveys/review/{ids['Officer Smith at 12 Elm St was rude.']}",
                       data={"csrf_token": _csrf(client), "decision": "reject"}).status_code == 302
    assert client.post(f"/field/surveys/review/{ids['Thank you all.']}",
                       data={"csrf_token": _csrf(client), "decision": "approve"}).status_code == 404  # reviewed once
    assert client.post("/field/surveys/review/not-a-uuid", data={"csrf_token": _csrf(client), "decision": "approve"}).status_code == 404
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"survey.comment.approve", "survey.comment.reject", "survey.comment.list"} <= actions
    client.post("/logout", data={"csrf_token": _csrf(client)})

    login(client, people["supervisor"])
    client.get("/dashboard/")
    page = router_request(client, "/dashboard/surveys", "?" + period).get_data(as_text=True)
    assert "Thank you all." in page and "Elm St" not in page
    assert supervisor.get(f"/api/v1/metrics/surveys?{period}").json["approved_comments"] == 1


@pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "admin"])
def test_only_clinicians_review_comments(client, survey_unit, role):
    _, _, people, _ = survey_unit
    login(client, people[role])
    assert client.get("/field/surveys/review").status_code == 403
    assert client.post("/field/surveys/review/00000000-0000-0000-0000-000000000000",
                       data={"csrf_token": _csrf(client), "decision": "approve"}).status_code == 403


def test_review_pages_need_a_login(client):
    response = client.get("/field/surveys/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_expired_links_are_purged_by_the_command(client, runner, survey_unit):
    _, _, people, call = survey_unit
    _issue(client, people["officer"], call["id"])
    _issue(client, people["officer"], call["id"])
    db.session.execute(sa.update(SurveyInvitation).where(
        SurveyInvitation.id == db.session.scalars(sa.select(SurveyInvitation.id)).first()
    ).values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyThrottle)) == 0  # nothing counted yet
    client.get("/s/some-token")  # one address counted now, one long ago
    db.session.add(SurveyThrottle(address_hash="f" * 64, window_start=utcnow() - timedelta(hours=1), hits=3))
    db.session.commit()

    result = runner.invoke(args=["surveys", "purge-expired"])

    assert result.exit_code == 0 and "1 expired link(s) deleted" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyInvitation)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyThrottle)) == 1  # the current window stays

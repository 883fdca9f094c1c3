"""Stories: a short de-identified summary of a call, drafted by who may edit the call, approved or
withdrawn by a supervisor (audited), refused when it carries identifying details."""

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from tests.factories import call_payload

STORY = "A man in his forties in crisis after losing work was calmed on scene and linked to peer support."


@pytest.fixture
def setup(make, api):
    agency, team, people = make.unit()
    officer = api(people["officer"])
    person = officer.post("/api/v1/persons", json={"first_name": "Jonah", "last_name": "Whitfield",
                                                   "date_of_birth": "1981-04-09"}).json
    call = officer.post("/api/v1/calls", json=call_payload(person_id=person["id"], address="4410 Elm Grove Rd")).json
    return people, call["id"]


def put(client, call_id, summary):
    return client.put(f"/api/v1/calls/{call_id}/story", json={"summary": summary})


def test_officer_drafts_and_supervisor_approves_with_audit(setup, api):
    people, call_id = setup

    drafted = put(api(people["officer"]), call_id, STORY)
    approved = api(people["supervisor"]).post(f"/api/v1/calls/{call_id}/story/approve")

    assert drafted.status_code == 200, drafted.json
    assert drafted.json["status"] == "draft"
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    assert approved.json["approved_by"] == people["supervisor"].id and approved.json["approved_at"]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "call_story")).all()
    assert {"story.draft", "story.approve"} <= set(actions)


def test_editing_an_approved_story_returns_it_to_draft(setup, api):
    people, call_id = setup
    put(api(people["officer"]), call_id, STORY)
    api(people["supervisor"]).post(f"/api/v1/calls/{call_id}/story/approve")

    edited = put(api(people["officer"]), call_id, STORY + " Follow-up kept.")

    assert edited.json["status"] == "draft" and edited.json["approved_at"] is None


def test_supervisor_withdraws_an_approved_story(setup, api):
    people, call_id = setup
    put(api(people["officer"]), call_id, STORY)
    supervisor = api(people["supervisor"])
    supervisor.post(f"/api/v1/calls/{call_id}/story/approve")

    withdrawn = supervisor.post(f"/api/v1/calls/{call_id}/story/withdraw")

    assert withdrawn.json["status"] == "withdrawn"
    assert supervisor.get(f"/api/v1/calls/{call_id}/story").json["status"] == "withdrawn"


@pytest.mark.parametrize("summary, field_word", [
    ("Jonah was calm after talking with the clinician.", "name"),
    ("The man (whitfield) was calm.", "name"),
    ("Born 04/09/1981, he was calm.", "date of birth"),
    ("Born 1981-04-09, he was calm.", "date of birth"),
    ("His sister can be reached at (312) 555-0199.", "phone"),
    ("Met him at 4410 Elm Grove Rd after a neighbour called.", "address"),
    ("Found outside 22 Lake Shore Drive, calm.", "address"),
    ("Contact him at jonah@example.org.", "e-mail"),
])
def test_identifying_details_are_refused_with_a_message_on_summary(setup, api, summary, field_word):
    people, call_id = setup

    response = put(api(people["officer"]), call_id, summary)

    assert response.status_code == 422
    assert field_word in " ".join(response.json["errors"]["json"]["summary"]).lower()


def test_a_summary_longer_than_600_characters_is_refused(setup, api):
    people, call_id = setup

    response = put(api(people["officer"]), call_id, "word " * 121)

    assert response.status_code == 422 and "summary" in response.json["errors"]["json"]


def test_officer_may_not_approve(setup, api):
    people, call_id = setup
    put(api(people["officer"]), call_id, STORY)

    assert api(people["officer"]).post(f"/api/v1/calls/{call_id}/story/approve").status_code == 403
    assert api(people["officer"]).post(f"/api/v1/calls/{call_id}/story/withdraw").status_code == 403


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_partner_and_admin_never_see_or_write_stories(setup, api, role):
    people, call_id = setup
    put(api(people["officer"]), call_id, STORY)
    client = api(people[role])

    assert client.get(f"/api/v1/calls/{call_id}/story").status_code == 403
    assert put(client, call_id, STORY).status_code == 403
    assert client.post(f"/api/v1/calls/{call_id}/story/approve").status_code == 403


def test_officer_of_another_team_may_read_but_not_draft(setup, make, api):
    people, call_id = setup
    outsider = make.user("officer", people["officer"].agency, teams=[make.team(people["officer"].agency)])
    put(api(people["officer"]), call_id, STORY)

    assert api(outsider).get(f"/api/v1/calls/{call_id}/story").status_code == 200
    assert put(api(outsider), call_id, STORY + " More.").status_code == 403


def test_another_agencys_call_is_missing(setup, make, api):
    _, call_id = setup
    _, _, others = make.unit()

    assert api(others["supervisor"]).get(f"/api/v1/calls/{call_id}/story").status_code == 404


def test_no_story_yet_is_404_and_approving_nothing_is_404(setup, api):
    people, call_id = setup

    assert api(people["supervisor"]).get(f"/api/v1/calls/{call_id}/story").status_code == 404
    assert api(people["supervisor"]).post(f"/api/v1/calls/{call_id}/story/approve").status_code == 404


def test_story_routes_need_a_login(setup, client):
    _, call_id = setup

    assert client.get(f"/api/v1/calls/{call_id}/story").status_code == 401

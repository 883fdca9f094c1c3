"""The role matrix of DESIGN.md section 4 on the records API; another agency answers 404."""

import pytest

from tests.factories import call_payload

FIELD_ROLES = ("officer", "clinician", "supervisor")
NON_FIELD_ROLES = ("partner", "admin")


@pytest.mark.parametrize("role", NON_FIELD_ROLES)
def test_partner_and_admin_cannot_read_or_create_call_records(make, api, role):
    _, _, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    client = api(people[role])

    assert client.get("/api/v1/calls").status_code == 403
    assert client.get(f"/api/v1/calls/{call['id']}").status_code == 403
    assert client.post("/api/v1/calls", json=call_payload()).status_code == 403
    assert client.get("/api/v1/persons?name=a").status_code == 403
    assert client.get("/api/v1/followups").status_code == 403


@pytest.mark.parametrize("role", FIELD_ROLES)
def test_field_roles_create_and_read_calls(make, api, role):
    _, team, people = make.unit()
    client = api(people[role])

    created = client.post("/api/v1/calls", json=call_payload(team_id=team.id))

    assert created.status_code == 201
    assert client.get(f"/api/v1/calls/{created.json['id']}").status_code == 200


def test_officer_edits_own_team_call_but_not_another_teams(make, api):
    agency, team, people = make.unit()
    other_team = make.team(agency)
    other_officer = make.user("officer", agency, teams=[other_team])
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json
    url = f"/api/v1/calls/{call['id']}"

    refused = api(other_officer).patch(url, json={"district": "X"}, headers={"If-Match": '"1"'})
    allowed = api(people["officer"]).patch(url, json={"district": "X"}, headers={"If-Match": '"1"'})

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_supervisor_edits_any_call_of_the_agency(make, api):
    agency, team, people = make.unit()
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload()).json

    response = api(people["supervisor"]).patch(
        f"/api/v1/calls/{call['id']}", json={"disposition": "arrest"}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200


def test_officer_cannot_record_a_call_for_another_team(make, api):
    agency, team, people = make.unit()
    other_team = make.team(agency)

    response = api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=other_team.id))

    assert response.status_code == 422
    assert "team_id" in response.json["errors"]["json"]


def test_user_on_no_team_must_name_one(make, api):
    _, _, people = make.unit()

    response = api(people["supervisor"]).post("/api/v1/calls", json=call_payload())

    assert response.status_code == 422
    assert "team_id" in response.json["errors"]["json"]


@pytest.mark.parametrize("role", FIELD_ROLES)
def test_another_agencys_records_answer_404(make, api, role):
    _, _, people = make.unit()
    _, _, others = make.unit()
    foreign = api(others["officer"])
    call = foreign.post("/api/v1/calls", json=call_payload()).json
    person = foreign.post("/api/v1/persons", json={"first_name": "A", "last_name": "B"}).json
    followup = foreign.get(f"/api/v1/calls/{call['id']}/followups").json[0]
    client = api(people[role])

    assert client.get(f"/api/v1/calls/{call['id']}").status_code == 404
    assert client.patch(f"/api/v1/calls/{call['id']}", json={"district": "Y"}, headers={"If-Match": '"1"'}).status_code == 404
    assert client.delete(f"/api/v1/calls/{call['id']}", json={"reason": "not mine"}).status_code == 404
    assert client.get(f"/api/v1/calls/{call['id']}/referrals").status_code == 404
    assert client.get(f"/api/v1/persons/{person['id']}").status_code == 404
    assert client.get(f"/api/v1/followups/{followup['id']}").status_code == 404
    assert client.get("/api/v1/calls").json["total"] == 0


def test_anonymous_gets_401_on_every_records_endpoint(client):
    for method, path in (("GET", "/api/v1/calls"), ("POST", "/api/v1/calls"), ("GET", "/api/v1/followups"),
                         ("GET", "/api/v1/persons?name=x"), ("POST", "/api/v1/persons"), ("GET", "/api/v1/me")):
        assert client.open(path, method=method, json={}).status_code == 401, path

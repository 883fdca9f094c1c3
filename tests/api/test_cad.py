"""The CAD feed: an integration account posts incidents (idempotent on the key) that become open
calls of its team; it can read nothing."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, User
from mhu.services import imports
from mhu.services.imports.profile import parse_profile
from tests.factories import login

INCIDENT = {"incident_number": "C24-0042", "received_at": "2024-05-01T09:00:00-07:00",
            "dispatched_at": "2024-05-01T09:02:00-07:00", "address": "100 Oak St", "initial_call_type": "MENTAL"}


def feed(make):
    agency, team, people = make.unit()
    people["integration"] = make.user("integration", agency, teams=[team])
    return agency, team, people


def calls() -> list[Call]:
    return list(db.session.scalars(sa.select(Call)))


def test_an_incident_in_mhu_field_names_creates_an_open_call_for_the_team(make, api):
    _, team, people = feed(make)

    response = api(people["integration"]).post("/api/v1/cad/incidents", json={"incident": INCIDENT})

    assert response.status_code == 201, response.json
    [call] = calls()
    assert str(call.id) == response.json["id"] and response.json["created"] is True
    assert call.team_id == team.id and call.disposition is None
    assert call.address == "100 Oak St" and call.initial_call_type == "MENTAL"
    assert call.received_at.isoformat() == "2024-05-01T16:00:00+00:00"


def test_an_incident_without_an_intercept_starts_where_its_source_puts_it(make, api):
    """As a call typed in the field or imported from a file: from a court or jail, intercept 3."""
    _, _, people = feed(make)

    response = api(people["integration"]).post(
        "/api/v1/cad/incidents", json={"incident": {**INCIDENT, "call_source": "court_or_jail"}})

    assert response.status_code == 201, response.json
    assert [call.sim_intercept for call in calls()] == [3]


def test_a_repeat_updates_times_and_address_never_duplicates_nor_clears_officer_input(make, api):
    _, _, people = feed(make)
    client = api(people["integration"])
    call_id = client.post("/api/v1/cad/incidents", json={"incident": INCIDENT}).json["id"]
    officer = api(people["officer"])
    etag = officer.get(f"/api/v1/calls/{call_id}").headers["ETag"]
    officer.patch(f"/api/v1/calls/{call_id}", json={"disposition": "resolved_on_scene"}, headers={"If-Match": etag})

    again = client.post("/api/v1/cad/incidents", json={"incident": {
        "incident_number": "C24-0042", "arrived_at": "2024-05-01T09:10:00-07:00", "address": "102 Oak St"}})

    assert again.status_code == 200 and again.json == {"id": call_id, "created": False}
    db.session.expire_all()
    [call] = calls()
    assert call.address == "102 Oak St" and call.arrived_at.isoformat() == "2024-05-01T16:10:00+00:00"
    assert call.disposition == "resolved_on_scene"


def test_an_incident_mapped_with_a_stored_profile(make, api):
    agency, _, people = feed(make)
    imports.save_profile(agency_id=agency.id, profile=parse_profile({
        "version": 1, "name": "County CAD", "timezone": "America/Chicago", "key": ["EventNo"],
        "fields": {"incident_number": {"column": "EventNo"}, "received_at": {"column": "CallTime"},
                   "address": {"column": "Location"}, "call_source": {"column": "Src", "map": {"E911": "911"}}}}))
    db.session.commit()

    response = api(people["integration"]).post("/api/v1/cad/incidents", json={
        "profile": "County CAD", "incident": {"EventNo": "E-7", "CallTime": "2024-05-01 09:00", "Location": "5 Elm",
                                             "Src": "e911"}})

    assert response.status_code == 201, response.json
    [call] = calls()
    assert (call.incident_number, call.address, call.call_source) == ("E-7", "5 Elm", "911")


def test_a_bare_incident_is_the_body_itself_in_mhu_field_names_or_a_named_profiles_columns(make, api):
    """Feeds that post the incident as the whole body (no `incident` wrapper) work the same way."""
    agency, _, people = feed(make)
    imports.save_profile(agency_id=agency.id, profile=parse_profile({
        "version": 1, "name": "County CAD", "timezone": "America/Chicago", "key": ["EventNo"],
        "fields": {"incident_number": {"column": "EventNo"}, "received_at": {"column": "CallTime"},
                   "address": {"column": "Location"}}}))
    db.session.commit()
    client = api(people["integration"])

    direct = client.post("/api/v1/cad/incidents", json=INCIDENT)
    repeat = client.post("/api/v1/cad/incidents", json={**INCIDENT, "address": "102 Oak St"})
    mapped = client.post("/api/v1/cad/incidents", json={"profile": "County CAD", "EventNo": "E-7",
                                                        "CallTime": "2024-05-01 09:00", "Location": "5 Elm"})

    assert direct.status_code == 201, direct.json
    assert repeat.status_code == 200 and repeat.json == {"id": direct.json["id"], "created": False}
    assert mapped.status_code == 201, mapped.json
    db.session.expire_all()
    assert sorted((call.incident_number, call.address) for call in calls()) == [
        ("C24-0042", "102 Oak St"), ("E-7", "5 Elm")]


def test_bad_incidents_are_422_with_reasons(make, api):
    _, _, people = feed(make)
    client = api(people["integration"])

    no_time = client.post("/api/v1/cad/incidents", json={"incident": {"incident_number": "X1"}})
    unknown = client.post("/api/v1/cad/incidents", json={"incident": {"incident_number": "X2", "colour": "red"}})
    bad_code = client.post("/api/v1/cad/incidents", json={"incident": {**INCIDENT, "call_source": "pigeon"}})

    assert no_time.status_code == 422 and "received_at" in str(no_time.json["errors"])
    assert unknown.status_code == 422 and "colour" in str(unknown.json["errors"])
    bare_unknown = client.post("/api/v1/cad/incidents", json={"incident_number": "X3", "colour": "red"})
    assert bad_code.status_code == 422 and "call_source" in str(bad_code.json["errors"])
    assert bare_unknown.status_code == 422 and "colour" in str(bare_unknown.json["errors"])
    assert calls() == []


def test_other_roles_may_not_post_incidents(make, api):
    _, _, people = feed(make)
    for role in ("officer", "clinician", "supervisor", "partner", "admin"):
        assert api(people[role]).post("/api/v1/cad/incidents", json={"incident": INCIDENT}).status_code == 403


def test_the_integration_account_reads_nothing(make, api, client):
    _, _, people = feed(make)
    reader = api(people["integration"])
    call_id = reader.post("/api/v1/cad/incidents", json={"incident": INCIDENT}).json["id"]

    for path in ("/api/v1/me", "/api/v1/teams", f"/api/v1/calls/{call_id}", "/api/v1/calls", "/api/v1/calls.csv",
                 "/api/v1/persons", "/api/v1/followups", "/api/v1/imports", "/api/v1/docs"):
        assert reader.get(path).status_code == 403, path
    login(client, people["integration"])
    assert client.get("/field/").status_code == 403


def test_create_user_makes_an_integration_account(runner):
    result = runner.invoke(args=["create-user", "cad@county.example", "--role", "integration", "--agency", "County",
                                 "--team", "North"], input="a long enough pass phrase 7\n")

    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cad@county.example"))
    assert user.role == "integration" and [team.name for team in user.teams] == ["North"]


def test_the_field_home_lists_cad_calls_waiting_for_details(make, api, client):
    _, _, people = feed(make)
    api(people["integration"]).post("/api/v1/cad/incidents", json={"incident": INCIDENT})
    login(client, people["officer"])

    page = client.get("/field/").get_data(as_text=True)

    assert "From CAD, waiting for details" in page and "C24-0042" in page and "100 Oak St" in page

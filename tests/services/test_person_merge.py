"""Supervisors merge duplicate persons and undo merges; both are recorded and scoped to the agency."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from tests.factories import at, call_payload


def _person(client, first, last, dob="1980-01-02"):
    response = client.post("/api/v1/persons", json={"first_name": first, "last_name": last, "date_of_birth": dob})
    assert response.status_code == 201, response.json
    return response.json["id"]


def _call(client, person_id, minutes=0):
    response = client.post("/api/v1/calls", json=call_payload(person_id=person_id, received_at=at(minutes=minutes).isoformat(),
                                                              dispatched_at=None, arrived_at=None, cleared_at=None))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _calls_of(client, person_id):
    return {c["id"] for c in client.get(f"/api/v1/calls?person_id={person_id}").json["items"]}


def test_merge_moves_calls_to_the_survivor_and_hides_the_merged_person(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor = _person(officer, "Dana", "Whitfield")
    duplicate = _person(officer, "Dana", "Whitfeld")
    kept = _call(officer, survivor)
    moved = {_call(officer, duplicate, 5), _call(officer, duplicate, 10)}

    response = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate})

    assert response.status_code == 201, response.json
    assert set(response.json["moved_call_ids"]) == moved
    assert _calls_of(officer, survivor) == moved | {kept}
    assert _calls_of(officer, duplicate) == set()
    found = officer.get("/api/v1/persons?name=Dana%20Whitfield").json
    assert [p["id"] for p in found] == [survivor]
    assert officer.get(f"/api/v1/persons/{duplicate}").json["merged_into_id"] == survivor


def test_undo_moves_back_exactly_the_moved_calls(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor = _person(officer, "Luis", "Ortega")
    duplicate = _person(officer, "Luiz", "Ortega")
    original = _call(officer, survivor)
    moved = _call(officer, duplicate, 5)
    merge = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate}).json
    added_after_merge = _call(officer, survivor, 20)

    response = supervisor.post(f"/api/v1/persons/merges/{merge['id']}/undo")

    assert response.status_code == 200, response.json
    assert response.json["undone_at"] is not None
    assert _calls_of(officer, duplicate) == {moved}
    assert _calls_of(officer, survivor) == {original, added_after_merge}
    found = {p["id"] for p in officer.get("/api/v1/persons?name=Luis%20Ortega").json}
    assert duplicate in found
    assert supervisor.post(f"/api/v1/persons/merges/{merge['id']}/undo").status_code == 409


def test_merge_and_undo_write_audit_events(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor, duplicate = _person(officer, "Ann", "Lee"), _person(officer, "Anne", "Lee")
    merge = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate}).json
    supervisor.post(f"/api/v1/persons/merges/{merge['id']}/undo")

    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "person_merge", AuditEvent.object_id == str(merge["id"]))
    ).all()

    assert sorted(actions) == ["person.merge", "person.unmerge"]


def test_only_supervisors_may_merge_or_undo(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor, duplicate = _person(officer, "Ray", "Mendez"), _person(officer, "Raymond", "Mendez")
    merge = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate}).json

    for role in ("officer", "clinician", "partner", "admin"):
        client = api(people[role])
        assert client.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate}).status_code == 403, role
        assert client.post(f"/api/v1/persons/merges/{merge['id']}/undo").status_code == 403, role


def test_persons_and_merges_of_another_agency_are_not_found(make, api):
    _, _, people = make.unit()
    _, _, others = make.unit()
    mine = _person(api(people["officer"]), "Tess", "Harlow")
    theirs = _person(api(others["officer"]), "Tess", "Harlowe")
    their_other = _person(api(others["officer"]), "Tessa", "Harlowe")
    their_merge = api(others["supervisor"]).post(f"/api/v1/persons/{theirs}/merge", json={"merge_id": their_other}).json
    supervisor = api(people["supervisor"])

    assert supervisor.post(f"/api/v1/persons/{mine}/merge", json={"merge_id": theirs}).status_code == 404
    assert supervisor.post(f"/api/v1/persons/{theirs}/merge", json={"merge_id": mine}).status_code == 404
    assert supervisor.post(f"/api/v1/persons/merges/{their_merge['id']}/undo").status_code == 404


def test_merge_into_itself_or_twice_is_refused(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor, duplicate = _person(officer, "Kim", "Park"), _person(officer, "Kimberly", "Park")

    itself = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": survivor})
    first = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate})
    again = supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate})

    assert itself.status_code == 422 and "merge_id" in itself.json["errors"]["json"]
    assert first.status_code == 201
    assert again.status_code == 409


def test_calls_cannot_be_linked_to_a_merged_person(make, api):
    _, _, people = make.unit()
    officer, supervisor = api(people["officer"]), api(people["supervisor"])
    survivor, duplicate = _person(officer, "Omar", "Reyes"), _person(officer, "Omar", "Reyes", "1980-02-01")
    supervisor.post(f"/api/v1/persons/{survivor}/merge", json={"merge_id": duplicate})

    response = officer.post("/api/v1/calls", json=call_payload(person_id=duplicate))

    assert response.status_code == 422
    assert "person_id" in response.json["errors"]["json"]


def test_wrong_role_is_refused_before_the_body_is_read(make, api):
    _, _, people = make.unit()
    survivor = _person(api(people["officer"]), "Ida", "Moss")

    response = api(people["officer"]).post(f"/api/v1/persons/{survivor}/merge", json={"not_a_field": 1})

    assert response.status_code == 403

"""Persons: create with identity, read with contact history, update with If-Match, search."""

from tests.factories import call_payload

PERSON = {"first_name": "María", "last_name": "Núñez-Oliver", "date_of_birth": "1984-07-02",
          "aliases": ["Mary Nunez"], "gender": "female", "veteran": False, "housing_status": "unsheltered",
          "safety_flags": ["service_animal"]}


def test_create_person_returns_id_and_identity(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post("/api/v1/persons", json=PERSON)

    assert response.status_code == 201, response.json
    assert response.json["id"]
    assert response.json["last_name"] == "Núñez-Oliver"
    assert response.json["contact_count"] == 0


def test_person_shows_contact_history_newest_first(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    person_id = officer.post("/api/v1/persons", json=PERSON).json["id"]
    officer.post("/api/v1/calls", json=call_payload(person_id=person_id, received_at="2026-01-05T10:00:00+00:00",
                                                    dispatched_at=None, arrived_at=None, cleared_at=None))
    officer.post("/api/v1/calls", json=call_payload(person_id=person_id, disposition="emergency_detention"))

    body = officer.get(f"/api/v1/persons/{person_id}").json

    assert body["contact_count"] == 2
    assert [c["disposition"] for c in body["contacts"]] == ["emergency_detention", "resolved_with_referral"]


def test_search_ranks_exact_match_first_and_tolerates_a_typo(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    maria = officer.post("/api/v1/persons", json=PERSON).json["id"]
    officer.post("/api/v1/persons", json={"first_name": "Mario", "last_name": "Nunes", "date_of_birth": "1990-01-01"})

    exact = officer.get("/api/v1/persons?name=Maria Nunez-Oliver&date_of_birth=1984-07-02").json
    typo = officer.get("/api/v1/persons?name=Maria Nunex Oliver").json

    assert exact[0]["id"] == maria and exact[0]["exact_match"] is True and exact[0]["score"] == 100
    assert typo[0]["id"] == maria
    assert typo[0]["score"] >= typo[-1]["score"]


def test_search_without_name_or_dob_is_422(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).get("/api/v1/persons")

    assert response.status_code == 422


def test_update_person_needs_if_match(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    created = officer.post("/api/v1/persons", json=PERSON)
    url = f"/api/v1/persons/{created.json['id']}"

    ok = officer.patch(url, json={"housing_status": "sheltered"}, headers={"If-Match": created.headers["ETag"]})
    stale = officer.patch(url, json={"housing_status": "housed"}, headers={"If-Match": created.headers["ETag"]})

    assert ok.status_code == 200 and ok.json["housing_status"] == "sheltered"
    assert stale.status_code == 412


def test_call_cannot_link_a_person_of_another_agency(make, api):
    _, _, people = make.unit()
    _, _, others = make.unit()
    foreign = api(others["officer"]).post("/api/v1/persons", json=PERSON).json["id"]

    response = api(people["officer"]).post("/api/v1/calls", json=call_payload(person_id=foreign))

    assert response.status_code == 422
    assert "person_id" in response.json["errors"]["json"]

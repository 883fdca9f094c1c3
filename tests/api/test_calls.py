"""The calls API: create, read, list with filters, update with If-Match, void."""

import uuid

from tests.factories import at, call_payload


def test_officer_creates_call_with_every_field_and_reads_it_back(make, api):
    agency, team, people = make.unit()
    officer = api(people["officer"])

    created = officer.post("/api/v1/calls", json=call_payload())

    assert created.status_code == 201, created.json
    body = created.json
    assert body["team_id"] == team.id
    assert body["sim_intercept"] == 1
    assert body["presenting_problems"] == ["substance_use", "suicidal_ideation"]
    assert body["received_at"].endswith("+00:00")
    assert body["version"] == 1
    assert body["created_by"] == people["officer"].id
    fetched = officer.get(f"/api/v1/calls/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json == body


def test_client_may_choose_the_call_id(make, api):
    _, _, people = make.unit()
    call_id = str(uuid.uuid4())

    response = api(people["officer"]).post("/api/v1/calls", json=call_payload(id=call_id))

    assert response.status_code == 201
    assert response.json["id"] == call_id


def test_clinician_only_team_defaults_to_intercept_zero(make, api):
    agency = make.agency()
    team = make.team(agency, kind="clinician_only")
    clinician = make.user("clinician", agency, teams=[team])

    response = api(clinician).post("/api/v1/calls", json=call_payload(call_source="crisis_line"))

    assert response.json["sim_intercept"] == 0


def test_times_out_of_order_are_rejected_per_field(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post(
        "/api/v1/calls", json=call_payload(arrived_at=at(minutes=1).isoformat())
    )

    assert response.status_code == 422
    assert "arrived_at" in response.json["errors"]["json"]


def test_unknown_field_and_bad_enum_get_422_with_field_messages(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post(
        "/api/v1/calls", json=call_payload(disposition="jailed", colour="red")
    )

    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert set(errors) == {"disposition", "colour"}


def test_naive_timestamp_and_fractional_intercept_are_rejected(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post(
        "/api/v1/calls", json=call_payload(received_at="2026-03-10T14:00:00", sim_intercept=2.5)
    )

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"received_at", "sim_intercept"}


def test_malformed_json_gets_400(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post(
        "/api/v1/calls", data="{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json["message"]


def test_list_filters_by_local_date_district_and_disposition(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    # 2026-03-10 03:00 UTC is still 2026-03-09 in Chicago.
    officer.post("/api/v1/calls", json=call_payload(
        received_at="2026-03-10T03:00:00+00:00", dispatched_at=None, arrived_at=None, cleared_at=None))
    officer.post("/api/v1/calls", json=call_payload(district="South", disposition="arrest"))
    officer.post("/api/v1/calls", json=call_payload())

    on_ninth = officer.get("/api/v1/calls?from=2026-03-09&to=2026-03-09").json
    south = officer.get("/api/v1/calls?district=South").json
    arrests = officer.get("/api/v1/calls?disposition=arrest").json
    paged = officer.get("/api/v1/calls?per_page=2&page=2").json

    assert on_ninth["total"] == 1
    assert south["total"] == 1 and south["items"][0]["district"] == "South"
    assert arrests["total"] == 1
    assert paged["total"] == 3 and len(paged["items"]) == 1 and paged["pages"] == 2


def test_patch_needs_current_etag(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload()).json
    url = f"/api/v1/calls/{call['id']}"

    missing = officer.patch(url, json={"district": "East"})
    first = officer.patch(url, json={"district": "East"}, headers={"If-Match": '"1"'})
    stale = officer.patch(url, json={"district": "West"}, headers={"If-Match": '"1"'})

    assert missing.status_code == 428
    assert first.status_code == 200 and first.json["version"] == 2 and first.headers["ETag"] == '"2"'
    assert stale.status_code == 412
    assert officer.get(url).json["district"] == "East"


def test_patch_rechecks_time_order_against_saved_values(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload()).json

    response = officer.patch(
        f"/api/v1/calls/{call['id']}", json={"cleared_at": at(minutes=5).isoformat()}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 422
    assert "cleared_at" in response.json["errors"]["json"]
    assert officer.get(f"/api/v1/calls/{call['id']}").json["cleared_at"] == call["cleared_at"]


def test_void_keeps_the_call_but_removes_it_from_lists(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload()).json

    voided = officer.delete(f"/api/v1/calls/{call['id']}", json={"reason": "Duplicate entry of C26-000123"})

    assert voided.status_code == 200
    assert voided.json["voided_at"] is not None
    assert officer.get("/api/v1/calls").json["total"] == 0
    assert officer.get(f"/api/v1/calls/{call['id']}").status_code == 200


def test_followup_required_opens_a_followup_due_48_hours_after_clearing(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload()).json

    followups = officer.get(f"/api/v1/calls/{call['id']}/followups").json

    assert len(followups) == 1
    assert followups[0]["due_at"] == at(minutes=55, hours=48).isoformat()
    assert followups[0]["status"] in ("due", "overdue")

"""Calls carry their referrals and a typed subject: a referral disposition needs a referral, times
out of order mark both fields, and a typed name is linked on an exact match or kept for later."""

from datetime import date

from mhu.services import persons
from tests.factories import at, call_payload


def test_call_with_referral_disposition_records_its_referrals(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])

    created = officer.post("/api/v1/calls", json=call_payload(referrals=[
        {"referral_type": "crisis_stabilization", "partner": "County Crisis Center", "warm_handoff": True},
    ]))

    assert created.status_code == 201, created.json
    listed = officer.get(f"/api/v1/calls/{created.json['id']}/referrals").json
    assert [(r["referral_type"], r["partner"], r["warm_handoff"]) for r in listed] == [
        ("crisis_stabilization", "County Crisis Center", True)]


def test_referral_disposition_without_a_referral_is_refused_on_the_referrals_field(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])

    for disposition in ("resolved_with_referral", "referred_to_other_agency"):
        response = officer.post("/api/v1/calls", json=call_payload(disposition=disposition, referrals=[]))
        assert response.status_code == 422, disposition
        assert "needs a referral" in response.json["errors"]["json"]["referrals"][0]
    assert officer.get("/api/v1/calls").json["items"] == []


def test_choosing_a_referral_disposition_later_asks_for_a_referral(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = officer.post("/api/v1/calls", json=call_payload(disposition=None)).json

    refused = officer.patch(f"/api/v1/calls/{call['id']}", json={"disposition": "resolved_with_referral"},
                            headers={"If-Match": '"1"'})
    accepted = officer.patch(f"/api/v1/calls/{call['id']}", headers={"If-Match": '"1"'}, json={
        "disposition": "resolved_with_referral", "referrals": [{"referral_type": "peer_support"}]})

    assert refused.status_code == 422 and "referrals" in refused.json["errors"]["json"]
    assert accepted.status_code == 200, accepted.json
    assert [r["referral_type"] for r in officer.get(f"/api/v1/calls/{call['id']}/referrals").json] == ["peer_support"]


def test_times_out_of_order_mark_both_times(make, api):
    _, _, people = make.unit()
    response = api(people["officer"]).post("/api/v1/calls", json=call_payload(
        received_at=at(minutes=30).isoformat(), dispatched_at=at(minutes=10).isoformat(),
        arrived_at=at(minutes=40).isoformat(), cleared_at=at(minutes=50).isoformat()))

    errors = response.json["errors"]["json"]
    assert response.status_code == 422
    assert errors["received_at"] == ["Must not be later than dispatched time."]
    assert errors["dispatched_at"] == ["Must not be earlier than received time."]
    assert "arrived_at" not in errors


def test_typed_subject_with_an_exact_name_and_birth_date_is_linked(make, api):
    _, _, people = make.unit()
    person = persons.create_person(actor=people["officer"], data={
        "first_name": "Rosa", "last_name": "Delgado", "date_of_birth": date(1979, 5, 2)})

    created = api(people["officer"]).post("/api/v1/calls", json=call_payload(
        subject_name="rosa  delgado", subject_date_of_birth="1979-05-02"))

    assert created.status_code == 201, created.json
    assert created.json["person_id"] == str(person.id)


def test_typed_subject_without_a_single_exact_match_waits_on_the_needs_a_subject_list(make, api, client):
    _, _, people = make.unit()
    persons.create_person(actor=people["officer"], data={"first_name": "Rosa", "last_name": "Delgado"})
    officer = api(people["officer"])

    created = officer.post("/api/v1/calls", json=call_payload(subject_name="Rosa Delgado"))
    from mhu.services import worklists

    waiting = worklists.calls_needing_subject(actor=people["officer"])
    assert created.json["person_id"] is None
    assert [(str(call.id), hint.typed_name) for call, hint in waiting] == [(created.json["id"], "Rosa Delgado")]

    person = persons.create_person(actor=people["officer"], data={"first_name": "Rosa", "last_name": "Delgado-Ruiz"})
    linked = officer.patch(f"/api/v1/calls/{created.json['id']}", json={"person_id": str(person.id)}, headers={"If-Match": '"1"'})
    assert linked.status_code == 200
    assert worklists.calls_needing_subject(actor=people["officer"]) == []


def test_intercept_starts_from_team_and_call_source(make, api):
    agency, team, people = make.unit()
    officer = api(people["officer"])
    body = call_payload(call_source="court_or_jail")
    body.pop("sim_intercept", None)

    created = officer.post("/api/v1/calls", json=body).json
    follow_up = officer.post("/api/v1/calls", json={**call_payload(call_source="scheduled_follow_up")}).json

    assert created["sim_intercept"] == 3
    assert follow_up["sim_intercept"] == 0

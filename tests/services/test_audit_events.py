"""Every write and every read of identified data leaves an audit event; failures leave no success."""

import uuid
from datetime import timezone

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, Call
from schemas.metrics import PARTNER_TABLE_NAMES
from tests.factories import PASSWORD, at, call_payload, login


def events(action=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def only(action):
    found = events(action)
    assert len(found) == 1, f"{action}: {[(e.action, e.outcome) for e in events()]}"
    return found[0]


def test_each_call_action_writes_one_event_with_who_what_when_and_where(make, api):
    _, team, people = make.unit()
    officer = api(people["officer"])
    created = officer.post("/api/v1/calls", json=call_payload(disposition="resolved_on_scene"), headers={"X-Request-ID": "r-create"}).json
    read = officer.get(f"/api/v1/calls/{created['id']}")
    officer.get("/api/v1/calls")
    officer.patch(f"/api/v1/calls/{created['id']}", json={"district": "South"}, headers={"If-Match": read.headers["ETag"]})
    officer.delete(f"/api/v1/calls/{created['id']}", json={"reason": "Entered twice"})

    for action in ("call.create", "call.read", "call.update", "call.void"):
        event = only(action)
        assert (event.user_id, event.role, event.agency_id) == (people["officer"].id, "officer", team.agency_id)
        assert (event.object_type, event.object_id, event.outcome) == ("call", created["id"], "success")
        assert event.source_ip == "127.0.0.1"
        assert event.request_id
        assert event.occurred_at.tzinfo is not None and event.occurred_at.utcoffset() == timezone.utc.utcoffset(None)
    assert only("call.create").request_id == "r-create"
    assert only("call.list").object_id is None


def test_person_actions_are_audited(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    person = officer.post("/api/v1/persons", json={"first_name": "Dana", "last_name": "Reyes", "date_of_birth": "1990-04-02"})
    officer.get(f"/api/v1/persons/{person.json['id']}")
    officer.get("/api/v1/persons?name=Dana%20Reyes")
    officer.patch(f"/api/v1/persons/{person.json['id']}", json={"veteran": True}, headers={"If-Match": person.headers["ETag"]})
    for action in ("person.create", "person.read", "person.update"):
        assert only(action).object_id == person.json["id"]
    assert only("person.search").outcome == "success"


def test_referrals_followups_and_notes_are_audited(make, api):
    _, _, people = make.unit()
    officer, clinician = api(people["officer"]), api(people["clinician"])
    call = officer.post("/api/v1/calls", json=call_payload(disposition="resolved_on_scene")).json
    officer.post(f"/api/v1/calls/{call['id']}/referrals", json={"referral_type": "sud_treatment"})
    officer.get(f"/api/v1/calls/{call['id']}/referrals")
    followup = clinician.post(f"/api/v1/calls/{call['id']}/followups", json={}).json
    clinician.get(f"/api/v1/calls/{call['id']}/followups")
    clinician.get("/api/v1/followups")
    clinician.post(f"/api/v1/followups/{followup['id']}/attempts", json={"attempted_at": at(hours=3).isoformat(), "method": "phone"})
    current = clinician.get(f"/api/v1/followups/{followup['id']}")
    clinician.patch(f"/api/v1/followups/{followup['id']}", json={"outcome": "reached_engaged"}, headers={"If-Match": current.headers["ETag"]})
    note = clinician.post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Assessment: stable."}).json
    clinician.get(f"/api/v1/calls/{call['id']}/notes")

    assert only("referral.create").outcome == "success"
    assert only("referral.list").object_id == call["id"]
    assert only("followup.create").object_id == followup["id"]
    assert len(events("followup.list")) == 2
    assert only("followup.attempt").object_id == followup["id"]
    assert only("followup.update").object_id == followup["id"]
    assert only("note.create").object_id == note["id"]
    assert only("note.read").object_id == call["id"]


def test_logins_logouts_lockouts_and_tokens_are_audited(client, make, api):
    user = make.user("officer")
    login(client, user, password="not the password at all")
    login(client, user)
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    client.post("/logout", data={"csrf_token": "t"})
    for _ in range(5):
        login(client, user, password="not the password at all")
    bearer = api(user)  # issues a token
    bearer.delete("/api/v1/auth/token")

    outcomes = [e.outcome for e in events("login")]
    assert outcomes == ["failure", "success"] + ["failure"] * 5
    assert only("logout").user_id == user.id
    assert only("lockout").object_id == str(user.id)
    assert only("token.issue").user_id == user.id
    assert only("token.revoke").user_id == user.id


def test_events_never_hold_content_passwords_or_tokens(app, make, api):
    _, _, people = make.unit()
    login(app.test_client(), people["officer"])  # its own browser: `api` authenticates by token
    officer = api(people["officer"])
    secret_token = officer.headers["Authorization"].split()[1]
    call = officer.post("/api/v1/calls", json=call_payload(narrative="UNIQUE-NARRATIVE-TEXT")).json
    officer.post("/api/v1/persons", json={"first_name": "Zebulon", "last_name": "Quixote"})
    api(people["clinician"]).post(f"/api/v1/calls/{call['id']}/notes", json={"body": "UNIQUE-NOTE-BODY"})

    stored = " ".join(" ".join(str(v) for v in row) for row in db.session.execute(sa.select(AuditEvent.__table__)))
    for secret in ("UNIQUE-NARRATIVE-TEXT", "Zebulon", "Quixote", "UNIQUE-NOTE-BODY", PASSWORD, secret_token, "100 Main St"):
        assert secret not in stored


def test_a_rejected_create_leaves_no_record_and_no_success_event(make, api):
    _, _, people = make.unit()
    response = api(people["officer"]).post(
        "/api/v1/calls", json=call_payload(arrived_at=at(minutes=1).isoformat(), dispatched_at=at(minutes=5).isoformat())
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0
    assert events("call.create") == []


def test_a_rejected_update_leaves_the_call_as_it_was_and_no_success_event(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    created = officer.post("/api/v1/calls", json=call_payload(district="North"))
    # Fields are applied to the row before the time-order check fails: the rollback must undo them.
    response = officer.patch(
        f"/api/v1/calls/{created.json['id']}",
        json={"district": "South", "cleared_at": at(minutes=-30).isoformat()},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422
    db.session.expire_all()
    call = db.session.get(Call, uuid.UUID(created.json["id"]))
    assert (call.district, call.version) == ("North", 1)
    assert events("call.update") == []


def test_a_stale_update_is_not_recorded_as_a_success(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    created = officer.post("/api/v1/calls", json=call_payload())
    officer.patch(f"/api/v1/calls/{created.json['id']}", json={"district": "A"}, headers={"If-Match": created.headers["ETag"]})
    stale = officer.patch(f"/api/v1/calls/{created.json['id']}", json={"district": "B"}, headers={"If-Match": created.headers["ETag"]})
    assert stale.status_code == 412
    assert len(events("call.update")) == 1


def test_no_route_can_change_or_delete_audit_events(app):
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert audit_rules
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_reading_the_high_utilizer_list_is_audited(make, api):
    _, _, people = make.unit()
    response = api(people["supervisor"]).get("/api/v1/metrics/high-utilizers")
    assert response.status_code == 200
    event = only("metrics.high_utilizers.read")
    assert (event.user_id, event.object_type, event.outcome) == (people["supervisor"].id, "person", "success")


def test_partner_downloads_are_audited(make, api):
    _, _, people = make.unit()
    response = api(people["partner"]).get(f"/api/v1/partner/metrics/{PARTNER_TABLE_NAMES[0]}.csv?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    assert [e.user_id for e in events() if e.action.startswith("partner.")] == [people["partner"].id]

"""Referrals, follow-ups with attempts, and clinical notes on a call."""

from tests.factories import at, call_payload


def _call(client):
    # No referral disposition: these tests add the referrals themselves.
    return client.post("/api/v1/calls", json=call_payload(disposition="resolved_on_scene")).json


def test_referral_is_recorded_on_the_call(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    call = _call(officer)

    created = officer.post(f"/api/v1/calls/{call['id']}/referrals",
                           json={"referral_type": "sud_treatment", "partner": "County BH", "warm_handoff": True})

    assert created.status_code == 201
    assert created.json["status"] == "made"
    listed = officer.get(f"/api/v1/calls/{call['id']}/referrals").json
    assert [r["referral_type"] for r in listed] == ["sud_treatment"]


def test_attempt_with_outcome_closes_the_followup(make, api):
    _, _, people = make.unit()
    clinician = api(people["clinician"])
    call = _call(api(people["officer"]))
    followup = clinician.get(f"/api/v1/calls/{call['id']}/followups").json[0]
    url = f"/api/v1/followups/{followup['id']}/attempts"

    first = clinician.post(url, json={"attempted_at": at(hours=20).isoformat(), "method": "phone", "reached": False})
    second = clinician.post(url, json={"attempted_at": at(hours=30).isoformat(), "method": "in_person",
                                       "reached": True, "outcome": "reached_engaged"})
    after = clinician.get(f"/api/v1/followups/{followup['id']}").json

    assert first.status_code == second.status_code == 201
    assert after["attempt_count"] == 2
    assert after["first_attempt_at"] == at(hours=20).isoformat()
    assert after["status"] == "done" and after["outcome"] == "reached_engaged"
    assert clinician.post(url, json={"attempted_at": at(hours=40).isoformat(), "method": "phone"}).status_code == 409


def test_worklist_shows_open_followups_of_my_team_by_due_time(make, api):
    agency, team, people = make.unit()
    other_team = make.team(agency)
    outsider = make.user("officer", agency, teams=[other_team])
    officer = api(people["officer"])
    late = officer.post("/api/v1/calls", json=call_payload(cleared_at=at(hours=5).isoformat())).json
    early = officer.post("/api/v1/calls", json=call_payload()).json
    api(outsider).post("/api/v1/calls", json=call_payload())

    worklist = api(people["clinician"]).get("/api/v1/followups").json

    assert [f["call_id"] for f in worklist["items"]] == [early["id"], late["id"]]


def test_notes_are_for_clinicians_only(make, api):
    _, _, people = make.unit()
    call = _call(api(people["officer"]))
    url = f"/api/v1/calls/{call['id']}/notes"

    written = api(people["clinician"]).post(url, json={"body": "Assessed; low acute risk."})

    assert written.status_code == 201
    assert api(people["clinician"]).get(url).json[0]["body"] == "Assessed; low acute risk."
    for role in ("officer", "supervisor", "partner", "admin"):
        assert api(people[role]).get(url).status_code == 403
        assert api(people[role]).post(url, json={"body": "x"}).status_code == 403


def test_part2_note_is_visible_only_within_the_authors_program(make, api):
    agency, team, people = make.unit()
    other_program = make.team(agency)
    outside_clinician = make.user("clinician", agency, teams=[other_program])
    call = _call(api(people["officer"]))
    url = f"/api/v1/calls/{call['id']}/notes"
    api(people["clinician"]).post(url, json={"body": "General assessment."})
    api(people["clinician"]).post(url, json={"body": "SUD treatment history.", "part2": True})

    inside = [n["body"] for n in api(people["clinician"]).get(url).json]
    outside = [n["body"] for n in api(outside_clinician).get(url).json]

    assert inside == ["General assessment.", "SUD treatment history."]
    assert outside == ["General assessment."]


def test_addendum_points_at_its_note(make, api):
    _, _, people = make.unit()
    clinician = api(people["clinician"])
    call = _call(api(people["officer"]))
    url = f"/api/v1/calls/{call['id']}/notes"
    note = clinician.post(url, json={"body": "Initial note."}).json

    addendum = clinician.post(url, json={"body": "Correction: seen at 15:10.", "addendum_to_id": note["id"]})

    assert addendum.status_code == 201
    assert addendum.json["addendum_to_id"] == note["id"]


def test_reading_a_followup_is_audited(make, api):
    import sqlalchemy as sa

    from mhu.extensions import db
    from mhu.models import AuditEvent

    _, _, people = make.unit()
    call = _call(api(people["officer"]))
    followup = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/followups").json[0]

    api(people["clinician"]).get(f"/api/v1/followups/{followup['id']}")

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "followup.read"))
    assert event.object_id == followup["id"] and event.user_id == people["clinician"].id


def test_a_part2_notes_program_is_the_calls_team_not_the_authors_first_team(make, api):
    agency, _, people = make.unit()
    alpha, zulu = make.team(agency, name="Alpha program"), make.team(agency, name="Zulu program")
    author = make.user("clinician", agency, teams=[alpha, zulu])
    alpha_only = make.user("clinician", agency, teams=[alpha])
    zulu_only = make.user("clinician", agency, teams=[zulu])
    zulu_officer = make.user("officer", agency, teams=[zulu])
    call = api(zulu_officer).post("/api/v1/calls", json=call_payload(team_id=zulu.id)).json
    url = f"/api/v1/calls/{call['id']}/notes"

    written = api(author).post(url, json={"body": "SUD treatment history.", "part2": True})

    assert written.status_code == 201
    assert [n["body"] for n in api(zulu_only).get(url).json] == ["SUD treatment history."]
    assert api(alpha_only).get(url).json == []


def test_a_part2_note_needs_an_author_on_the_calls_team(make, api):
    agency, team, people = make.unit()
    elsewhere = make.user("clinician", agency, teams=[make.team(agency)])
    call = _call(api(people["officer"]))
    response = api(elsewhere).post(f"/api/v1/calls/{call['id']}/notes", json={"body": "SUD history.", "part2": True})
    assert response.status_code == 422 and "part2" in response.json["errors"]["json"]

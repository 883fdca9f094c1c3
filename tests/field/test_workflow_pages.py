"""Field pages of the second pass: the queue's views and paging, the person page and its role
rules, attempts recorded without JavaScript, and the home lists."""

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, FollowUp
from mhu.models.types import utcnow
from mhu.services import persons
from tests.factories import call_payload, login


def _call(api, user, **overrides):
    response = api(user).post("/api/v1/calls", json=call_payload(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def _due(call_id, **delta):
    followup = db.session.scalar(sa.select(FollowUp).where(FollowUp.call_id == uuid.UUID(call_id)))
    followup.due_at = utcnow() + timedelta(**delta)
    db.session.commit()
    return followup


def test_queue_opens_on_a_summary_and_due_soon_first(client, make, api):
    _, _, people = make.unit()
    soon = _call(api, people["officer"], incident_number="SOON")
    overdue = _call(api, people["officer"], incident_number="LATE")
    _due(soon["id"], hours=2)
    _due(overdue["id"], days=-12)
    login(client, people["clinician"])

    page = client.get("/field/followups").get_data(as_text=True)

    assert "1 overdue" in page and "due today" in page and "due tomorrow" in page
    assert "SOON" in page and "LATE" not in page
    late_page = client.get("/field/followups?view=overdue").get_data(as_text=True)
    assert "LATE" in late_page and "SOON" not in late_page
    assert "Overdue by 12 days" in late_page


def test_queue_pages_through_every_open_followup(client, make, api):
    _, _, people = make.unit()
    for number in range(23):
        _due(_call(api, people["officer"], incident_number=f"Q-{number:02d}")["id"], hours=number + 1)
    login(client, people["clinician"])

    first = client.get("/field/followups").get_data(as_text=True)
    second = client.get("/field/followups?page=2").get_data(as_text=True)

    assert "Page 1 of 2" in first and "Q-00" in first and "Q-22" not in first
    assert "Q-22" in second and "Q-00" not in second


def test_attempt_posted_without_javascript_is_recorded(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    followup = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/followups").json[0]
    login(client, people["clinician"])

    response = client.post(f"/field/followups/{followup['id']}/attempts", data={
        "csrf_token": _csrf(client), "method": "phone", "reached": "on", "attempted_at": "", "next": "/field/followups",
    })

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#followup-{followup['id']}")
    stored = api(people["clinician"]).get(f"/api/v1/followups/{followup['id']}").json
    assert stored["attempt_count"] == 1 and stored["attempts"][0]["reached"] is True


def test_attempt_without_a_method_is_refused_with_its_field(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    followup = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/followups").json[0]
    login(client, people["clinician"])

    response = client.post(f"/field/followups/{followup['id']}/attempts", data={"csrf_token": _csrf(client)})

    assert response.status_code == 422
    assert "Method" in response.get_data(as_text=True)


def test_partner_cannot_post_an_attempt(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    followup = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/followups").json[0]
    login(client, people["partner"])

    response = client.post(f"/field/followups/{followup['id']}/attempts", data={"csrf_token": _csrf(client), "method": "phone"})

    assert response.status_code == 403


def _csrf(client):
    with client.session_transaction() as session:
        return session.setdefault("csrf_token", "form-csrf")


def _person(officer):
    return persons.create_person(actor=officer, data={
        "first_name": "Dana", "last_name": "Whitfield", "aliases": ["Dee"], "safety_flags": ["weapons_history"],
        "response_plan": "Approach slowly; ask for her sister Mia.",
    })


def test_person_page_shows_identity_history_referrals_and_open_followups(client, make, api):
    _, _, people = make.unit()
    person = _person(people["officer"])
    _call(api, people["officer"], person_id=str(person.id), incident_number="P-1")
    login(client, people["officer"])

    response = client.get(f"/field/persons/{person.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("Identity and safety") < page.index("Contact history")
    assert "Dee" in page and "Weapons history" in page and "ask for her sister Mia" in page
    assert "Resolved with referral" in page and "County Behavioral Health" in page
    assert "Open follow-ups" in page and "0 attempt(s)" in page
    reads = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.read")).all()
    assert [str(e.object_id) for e in reads] == [str(person.id)]


def test_person_page_is_refused_to_partners_and_admins(client, make):
    _, _, people = make.unit()
    person = _person(people["officer"])
    for role in ("partner", "admin"):
        login(client, people[role])
        assert client.get(f"/field/persons/{person.id}").status_code == 403, role
        client.post("/logout", data={"csrf_token": "test-csrf"})


def test_person_of_another_agency_is_not_found(client, make):
    _, _, people = make.unit()
    _, _, others = make.unit()
    person = _person(others["officer"])
    login(client, people["officer"])

    assert client.get(f"/field/persons/{person.id}").status_code == 404


def test_call_page_links_the_subject_to_the_person_page(client, make, api):
    _, _, people = make.unit()
    person = _person(people["officer"])
    call = _call(api, people["officer"], person_id=str(person.id))
    login(client, people["officer"])

    page = client.get(f"/field/calls/{call['id']}?saved=1").get_data(as_text=True)

    assert f"/field/persons/{person.id}" in page
    assert "Call saved." in page and "C26-000123" in page


def test_clinician_call_page_puts_followup_and_notes_before_the_call(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["clinician"])

    page = client.get(f"/field/calls/{call['id']}").get_data(as_text=True)

    assert page.index("Record an attempt") < page.index("Clinical notes") < page.index('id="summary-heading"')
    assert '<details class="card" id="call-details">' in page  # closed: edited on purpose


def test_home_lists_recent_calls_and_calls_needing_a_subject(client, make, api):
    _, _, people = make.unit()
    now = utcnow()
    _call(api, people["officer"], incident_number="TODAY-1", received_at=(now - timedelta(minutes=70)).isoformat(),
          dispatched_at=None, arrived_at=None, cleared_at=None, subject_name="Nobody Known")
    login(client, people["officer"])

    page = client.get("/field/").get_data(as_text=True)

    assert "My recent calls" in page and "TODAY-1" in page
    assert "Needs a subject" in page and "Nobody Known" in page


def test_queue_links_a_named_subject_to_the_person_page(client, make, api):
    _, _, people = make.unit()
    person = _person(people["officer"])
    call = _call(api, people["officer"], person_id=str(person.id))
    _due(call["id"], hours=3)
    login(client, people["clinician"])

    page = client.get("/field/followups").get_data(as_text=True)

    assert f'href="/field/persons/{person.id}"' in page and "Dana Whitfield" in page


def test_note_and_addendum_posted_without_javascript_are_recorded(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["clinician"])

    note = client.post(f"/field/calls/{call['id']}/notes", data={
        "csrf_token": _csrf(client), "body": "Reports auditory hallucinations.", "part2": "on",
    })
    first = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/notes").json[0]
    addendum = client.post(f"/field/calls/{call['id']}/notes", data={
        "csrf_token": _csrf(client), "body": "Family confirms.", "addendum_to_id": first["id"],
    })

    assert note.status_code == addendum.status_code == 302
    assert note.headers["Location"].endswith(f"/field/calls/{call['id']}#clinical-notes")
    notes = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/notes").json
    assert [(n["body"], n["part2"], n["addendum_to_id"]) for n in notes] == [
        ("Reports auditory hallucinations.", True, None), ("Family confirms.", False, first["id"])]


def test_empty_note_posted_without_javascript_is_refused_with_its_field(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["clinician"])

    response = client.post(f"/field/calls/{call['id']}/notes", data={"csrf_token": _csrf(client), "body": "  "})

    assert response.status_code == 422
    assert "Body" in response.get_data(as_text=True)
    assert api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/notes").json == []


def test_officer_cannot_post_a_clinical_note(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["officer"])

    response = client.post(f"/field/calls/{call['id']}/notes", data={"csrf_token": _csrf(client), "body": "x"})

    assert response.status_code == 403


def test_referral_posted_without_javascript_returns_to_the_page_it_came_from(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["clinician"])

    response = client.post(f"/field/calls/{call['id']}/referrals", data={
        "csrf_token": _csrf(client), "referral_type": "crisis_stabilization", "partner": "County Crisis Center",
        "warm_handoff": "on", "status": "made", "next": "/field/followups?view=overdue",
    })

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/field/followups?view=overdue")
    referrals = api(people["clinician"]).get(f"/api/v1/calls/{call['id']}/referrals").json
    assert (referrals[-1]["referral_type"], referrals[-1]["partner"], referrals[-1]["warm_handoff"]) == (
        "crisis_stabilization", "County Crisis Center", True)


def test_referral_leaves_the_field_pages_only_for_the_call_page(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["clinician"])

    response = client.post(f"/field/calls/{call['id']}/referrals", data={
        "csrf_token": _csrf(client), "referral_type": "crisis_stabilization", "next": "https://evil.example/field/",
    })

    assert response.headers["Location"].endswith(f"/field/calls/{call['id']}#referrals")


def test_partner_cannot_post_a_referral(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people["partner"])

    response = client.post(f"/field/calls/{call['id']}/referrals", data={"csrf_token": _csrf(client), "referral_type": "crisis_stabilization"})

    assert response.status_code == 403


def test_no_field_form_sends_what_was_typed_in_a_url(client, make, api):
    """A form without a method is sent by GET: a tap before the page's script loads would put a
    clinical note or a name into the address, the server's access log and the browser history."""
    _, _, people = make.unit()
    call = _call(api, people["officer"], followup_required=True)
    _due(call["id"], days=-3)
    login(client, people["clinician"])

    for path in ("/field/calls/new", f"/field/calls/{call['id']}", "/field/followups", "/field/followups?view=overdue"):
        page = client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form\b[^>]*>", page)
        assert forms, path
        for form in forms:
            assert re.search(r'method="(post|get)"', form), (path, form)
            if 'method="get"' in form:
                assert "search" in form or "filter" in form, (path, form)  # only look-ups travel in a URL

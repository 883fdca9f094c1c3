"""Field pages of the second pass: the queue's views and paging, the person page and its role
rules, attempts recorded without JavaScript, and the home lists."""

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

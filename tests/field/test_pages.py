"""Field pages: every field role can use them, partners and admins cannot, and clinical notes
never reach an officer's page."""

import pytest

from tests.factories import at, call_payload, login

FIELD_PAGES = ("/field/", "/field/calls/new", "/field/followups")


def _call(api, user, **overrides):
    response = api(user).post("/api/v1/calls", json=call_payload(**overrides))
    assert response.status_code == 201, response.json
    return response.json


@pytest.mark.parametrize("role", ["officer", "clinician", "supervisor"])
def test_field_roles_open_every_field_page(client, make, api, role):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people[role])

    for path in (*FIELD_PAGES, f"/field/calls/{call['id']}"):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_partners_and_admins_are_refused_every_field_page(client, make, api, role):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    login(client, people[role])

    for path in (*FIELD_PAGES, f"/field/calls/{call['id']}", "/field/sw.js"):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_login(client):
    for path in (*FIELD_PAGES, "/field/calls/00000000-0000-0000-0000-000000000000"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_home_lists_only_my_calls_that_still_need_me(client, make, api):
    agency, team, people = make.unit()
    teammate = make.user("officer", agency, teams=[team])
    open_call = _call(api, people["officer"], disposition=None, incident_number="OPEN-1")
    _call(api, people["officer"], incident_number="DONE-1")
    _call(api, teammate, disposition=None, incident_number="TEAMMATE-1")
    login(client, people["officer"])

    response = client.get("/field/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    needs_me = page[page.index('id="open-heading"'):page.index('id="recent-heading"')]

    assert "OPEN-1" in needs_me and f"/field/calls/{open_call['id']}" in needs_me
    assert "DONE-1" not in needs_me
    assert "TEAMMATE-1" not in page
    assert "Missing: disposition" in needs_me


def test_followup_queue_link_is_shown_to_clinicians_not_officers(client, make):
    _, _, people = make.unit()
    login(client, people["clinician"])
    assert "/field/followups" in client.get("/field/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": "test-csrf"})
    login(client, people["officer"])
    officer_home = client.get("/field/")
    assert officer_home.status_code == 200 and "New call" in officer_home.get_data(as_text=True)
    assert "/field/followups" not in officer_home.get_data(as_text=True)


def test_new_call_form_prefills_intercept_from_team(client, make):
    agency = make.agency()
    clinician_team = make.team(agency, kind="clinician_only")
    clinician = make.user("clinician", agency, teams=[clinician_team])
    login(client, clinician)

    page = client.get("/field/calls/new").get_data(as_text=True)

    assert '<option value="0" selected>' in page
    assert 'data-intercept="0"' in page


def test_new_call_form_labels_every_input(client, make):
    _, _, people = make.unit()
    login(client, people["officer"])
    page = client.get("/field/calls/new").get_data(as_text=True)

    from html.parser import HTMLParser

    class Inputs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.label_for, self.in_label, self.wrapped = [], set(), 0, 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "label":
                self.in_label += 1
                if "for" in attrs:
                    self.label_for.add(attrs["for"])
            if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
                if self.in_label:
                    self.wrapped += 1
                else:
                    self.ids.append(attrs.get("id"))

        def handle_endtag(self, tag):
            if tag == "label":
                self.in_label -= 1

    parser = Inputs()
    parser.feed(page)
    assert parser.wrapped > 40  # the toggles
    assert [i for i in parser.ids if i not in parser.label_for] == []


def test_officer_page_never_contains_clinical_note_text(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    note = api(people["clinician"]).post(
        f"/api/v1/calls/{call['id']}/notes", json={"body": "Discussed lithium dose with psychiatrist"}
    )
    assert note.status_code == 201
    login(client, people["officer"])

    response = client.get(f"/field/calls/{call['id']}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and call["incident_number"] in page
    assert "lithium" not in page
    assert "Clinical notes" not in page


def test_clinician_sees_notes_and_addenda_on_the_call_page(client, make, api):
    _, _, people = make.unit()
    call = _call(api, people["officer"])
    clinician = api(people["clinician"])
    note = clinician.post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Engaged, safety plan agreed"}).json
    clinician.post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Correction: plan shared with mother", "addendum_to_id": note["id"]})
    login(client, people["clinician"])

    page = client.get(f"/field/calls/{call['id']}").get_data(as_text=True)

    assert "Engaged, safety plan agreed" in page
    assert "Correction: plan shared with mother" in page
    assert "Part 2 (substance-use treatment information)" in page


def test_part2_note_of_another_program_stays_hidden_on_the_page(client, make, api):
    agency, team, people = make.unit()
    other_program = make.team(agency)
    outsider = make.user("clinician", agency, teams=[other_program])
    call = _call(api, people["officer"])
    api(people["clinician"]).post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Methadone clinic intake", "part2": True})
    api(people["clinician"]).post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Mood stable today"})
    login(client, outsider)

    response = client.get(f"/field/calls/{call['id']}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and "Mood stable today" in page
    assert "Methadone" not in page


def test_call_of_another_agency_is_not_found(client, make, api):
    _, _, people = make.unit()
    _, _, others = make.unit()
    call = _call(api, others["officer"])
    login(client, people["officer"])

    assert client.get(f"/field/calls/{call['id']}").status_code == 404


def test_followup_queue_all_tab_sorts_by_due_time_and_marks_overdue(client, make, api):
    _, _, people = make.unit()
    later = _call(api, people["officer"], incident_number="LATER",
                  received_at=at(days=3000).isoformat(), dispatched_at=None, arrived_at=None, cleared_at=None)
    overdue = _call(api, people["officer"], incident_number="OVERDUE")
    login(client, people["clinician"])

    page = client.get("/field/followups?view=all").get_data(as_text=True)

    assert page.index(f"/field/calls/{overdue['id']}") < page.index(f"/field/calls/{later['id']}")
    assert "Overdue by" in page and "Overdue overdue" not in page.replace("</span>", "").lower().title()
    assert "Due in" in page
    assert "Record attempt" in page and "Add referral" in page


def test_service_worker_is_served_with_field_scope(client, make):
    _, _, people = make.unit()
    login(client, people["officer"])

    response = client.get("/field/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/field/"
    assert "/field/calls/new" in response.get_data(as_text=True)

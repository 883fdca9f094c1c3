"""Field pages: optional demographics (new person on the call form, the person page) and a call's
story (draft for who may edit the call, approve and withdraw for supervisors)."""

import pytest

from tests.factories import call_payload
from tests.factories import login as form_login

STORY = "A woman in her thirties in crisis was calmed on scene and chose outpatient care."


@pytest.fixture
def call(make, api):
    agency, team, people = make.unit()
    person = api(people["officer"]).post("/api/v1/persons", json={"first_name": "Rosa", "last_name": "Lind"}).json
    body = api(people["officer"]).post("/api/v1/calls", json=call_payload(person_id=person["id"])).json
    return people, body["id"], person["id"]


def login(client, user):
    """Sign in, then fix the session's CSRF token (login issues a fresh one) so forms can post."""
    form_login(client, user)
    with client.session_transaction() as session:
        session["csrf_token"] = "test-csrf"


def post_story(client, call_id, action, summary=""):
    return client.post(f"/field/calls/{call_id}/story",
                       data={"csrf_token": "test-csrf", "action": action, "summary": summary})


def test_new_call_form_offers_demographics_with_not_recorded_chosen(client, make):
    _, _, people = make.unit()
    login(client, people["officer"])

    page = client.get("/field/calls/new").get_data(as_text=True)

    assert 'id="subject-demographics"' in page
    assert "Middle Eastern or North African" in page
    assert 'name="new_person_sex" value="not_recorded" checked' in page
    assert 'name="new_person_race" value="not_recorded" checked' in page


def test_person_page_saves_demographics(client, call):
    people, _, person_id = call
    login(client, people["officer"])

    response = client.post(f"/field/persons/{person_id}/demographics", data={
        "csrf_token": "test-csrf", "sex": "female", "race_ethnicity": ["asian", "white"]})
    page = client.get(f"/field/persons/{person_id}").get_data(as_text=True)

    assert response.status_code == 302
    assert 'name="sex" value="female" checked' in page
    assert 'name="race_ethnicity" value="asian" checked' in page


def test_person_page_refuses_a_bad_value_with_its_field_named(client, call):
    people, _, person_id = call
    login(client, people["officer"])

    response = client.post(f"/field/persons/{person_id}/demographics",
                           data={"csrf_token": "test-csrf", "sex": "robot"})

    assert response.status_code == 422 and "Sex: Must be one of" in response.get_data(as_text=True)


def test_officer_drafts_and_supervisor_approves_on_the_call_page(client, call):
    people, call_id, _ = call
    login(client, people["officer"])
    drafted = post_story(client, call_id, "draft", STORY)
    officer_page = client.get(f"/field/calls/{call_id}").get_data(as_text=True)
    login(client, people["supervisor"])
    approved = post_story(client, call_id, "approve")
    supervisor_page = client.get(f"/field/calls/{call_id}").get_data(as_text=True)

    assert drafted.status_code == 302 and approved.status_code == 302
    assert STORY in officer_page and 'value="approve"' not in officer_page
    assert "Approved" in supervisor_page and 'value="withdraw"' in supervisor_page


def test_officer_may_not_approve_on_the_call_page(client, call):
    people, call_id, _ = call
    login(client, people["officer"])
    post_story(client, call_id, "draft", STORY)

    assert post_story(client, call_id, "approve").status_code == 403


def test_identifying_story_is_not_saved_and_says_why(client, call):
    people, call_id, _ = call
    login(client, people["officer"])

    response = post_story(client, call_id, "draft", "Rosa was calm.")

    assert response.status_code == 422 and "name" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_partner_and_admin_are_refused_the_story_and_demographics_forms(client, call, role):
    people, call_id, person_id = call
    login(client, people[role])

    assert post_story(client, call_id, "draft", STORY).status_code == 403
    assert client.post(f"/field/persons/{person_id}/demographics",
                       data={"csrf_token": "test-csrf", "sex": "male"}).status_code == 403

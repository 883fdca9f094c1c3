"""Administration pages (in-process): forms save through the services; bad input is shown with a 422."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Agency, AuditEvent, Team, User
from tests.factories import signed_in_browser



def test_settings_form_saves_districts_and_numbers(app, make):
    agency, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    response = browser.post("/admin/settings", data={
        "csrf_token": "t", "timezone": "America/Chicago", "districts": "North: N1, N2\nSouth",
        "suppression_threshold": "7", "followup_hours": ""})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Agency, agency.id)
    assert saved.districts == [{"name": "North", "beats": ["N1", "N2"]}, {"name": "South", "beats": []}]
    assert saved.suppression_threshold == 7 and saved.followup_hours is None
    assert "North: N1, N2" in browser.get("/admin/settings").get_data(as_text=True)


def test_settings_form_shows_problems_with_422(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    response = browser.post("/admin/settings", data={
        "csrf_token": "t", "timezone": "Nowhere", "districts": "", "suppression_threshold": "many", "followup_hours": ""})
    assert response.status_code == 422 and "Not saved" in response.get_data(as_text=True)


def test_invite_form_shows_the_link_once(app, make):
    _, team, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    response = browser.post("/admin/invitations", data={"csrf_token": "t", "email": "pat@example.test",
                                                        "role": "clinician", "team_ids": [str(team.id)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "/account/link/" in page
    assert "/account/link/" not in browser.get("/admin/users").get_data(as_text=True)
    bad = browser.post("/admin/invitations", data={"csrf_token": "t", "email": people["officer"].email, "role": "clinician"})
    assert bad.status_code == 422


def test_user_form_changes_role_and_teams(app, make):
    _, team, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    partner = people["partner"]
    response = browser.post(f"/admin/users/{partner.id}", data={
        "csrf_token": "t", "role": "officer", "cit_level": "cit_40h", "active": "on", "display_name": "Pat",
        "team_ids": [str(team.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, partner.id)
    assert (saved.role, saved.cit_level, saved.team_ids) == ("officer", "cit_40h", {team.id})
    assert browser.post(f"/admin/users/{partner.id}", data={"csrf_token": "t", "role": "root"}).status_code == 422


def test_team_pages_create_and_staff_a_team(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])
    response = browser.post("/admin/teams", data={"csrf_token": "t", "name": "Evening", "kind": "co_responder"})
    assert response.status_code == 302
    team = db.session.scalar(sa.select(Team).where(Team.name == "Evening"))
    response = browser.post(f"/admin/teams/{team.id}", data={
        "csrf_token": "t", "name": "Evening", "kind": "co_responder", "active": "on",
        "member_ids": [str(people["officer"].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.id for m in db.session.get(Team, team.id).members] == [people["officer"].id]
    assert browser.post("/admin/teams", data={"csrf_token": "t", "name": "Evening"}).status_code == 422


def test_token_page_shows_a_new_token_once(app, make):
    agency, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    assert browser.post("/admin/integrations", data={"csrf_token": "t", "email": "cad@example.test"}).status_code == 302
    feed_account = db.session.scalar(sa.select(User).where(User.email == "cad@example.test"))
    assert feed_account.role == "integration"
    response = browser.post("/admin/tokens", data={"csrf_token": "t", "user_id": str(feed_account.id),
                                                   "label": "CAD feed", "days": "30"})
    assert response.status_code == 201 and "not shown again" in response.get_data(as_text=True)
    listing = browser.get("/admin/tokens").get_data(as_text=True)
    assert "CAD feed" in listing and "not shown again" not in listing


def test_audit_page_filters_and_exports(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])
    browser.post(f"/admin/users/{people['officer'].id}/unlock", data={"csrf_token": "t"})
    page = browser.get("/admin/audit?category=permission").get_data(as_text=True)
    assert "permission.user.unlock" in page and ">login<" not in page
    csv = browser.get(f"/admin/audit.csv?category=permission&email={people['admin'].email}")
    assert csv.mimetype == "text/csv" and "permission.user.unlock" in csv.get_data(as_text=True)
    assert browser.get("/admin/audit?since=yesterday").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "audit.export")) == 1


def test_the_call_form_suggests_the_agencys_districts_and_beats(app, make, api):
    _, _, people = make.unit()
    api(people["admin"]).patch("/api/v1/admin/settings", json={"districts": [{"name": "North", "beats": ["N1", "N2"]}]})
    browser = signed_in_browser(app, people["officer"])
    page = browser.get("/field/calls/new").get_data(as_text=True)
    assert 'list="district-suggestions"' in page and '<option value="North">' in page
    assert '<option value="N2">' in page

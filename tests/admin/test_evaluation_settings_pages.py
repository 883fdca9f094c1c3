"""Evaluation settings on the admin pages: eligibility rules, unit costs, a team's program start."""

import json
from datetime import date

from mhu.extensions import db
from mhu.models import Agency, Team
from tests.factories import signed_in_browser

BASE = {"csrf_token": "t", "timezone": "America/Chicago", "districts": "", "suppression_threshold": "",
        "followup_hours": ""}
RULES = {"natures": ["mh_crisis"], "call_types": ["10-96"], "exclude_risk_flags": ["weapon_gun"],
         "service_hours": {"0": [[8, 20]]}}


def test_settings_form_saves_rules_and_costs_with_sources(app, make):
    agency, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])

    response = browser.post("/admin/settings", data={
        **BASE, "eligibility": json.dumps(RULES), "cost_ed_visit": "2200", "source_ed_visit": "State hospital data"})

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Agency, agency.id)
    assert saved.eligibility["natures"] == ["mh_crisis"] and saved.eligibility["service_hours"] == {"0": [[8, 20]]}
    assert saved.unit_costs == {"ed_visit": {"amount": 2200.0, "source": "State hospital data"}}
    page = browser.get("/admin/settings").get_data(as_text=True)
    assert "State hospital data" in page and "weapon_gun" in page


def test_bad_rules_or_a_cost_without_source_show_problems_with_422(app, make):
    _, _, people = make.unit()
    browser = signed_in_browser(app, people["admin"])

    broken = browser.post("/admin/settings", data={**BASE, "eligibility": "{not json"})
    unsourced = browser.post("/admin/settings", data={**BASE, "cost_jail_booking": "400"})

    assert broken.status_code == 422 and "eligibility" in broken.get_data(as_text=True)
    assert unsourced.status_code == 422 and "unit costs.jail booking" in unsourced.get_data(as_text=True)


def test_team_form_sets_the_program_start_date(app, make):
    _, team, people = make.unit()
    browser = signed_in_browser(app, people["supervisor"])

    response = browser.post(f"/admin/teams/{team.id}", data={
        "csrf_token": "t", "name": team.name, "kind": "co_responder", "active": "on", "program_start_date": "2025-07-01"})
    bad = browser.post(f"/admin/teams/{team.id}", data={
        "csrf_token": "t", "name": team.name, "kind": "co_responder", "program_start_date": "July"})

    assert response.status_code == 302 and bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(Team, team.id).program_start_date == date(2025, 7, 1)


def test_officers_cannot_reach_the_settings_form(app, make):
    _, _, people = make.unit()

    assert signed_in_browser(app, people["officer"]).get("/admin/settings").status_code in (302, 403)

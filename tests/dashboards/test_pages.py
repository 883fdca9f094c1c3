"""The page prologue, the page list declared once, and texts read from the metric registry."""

import json
import re
from pathlib import Path

import dash
import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from dashboards import site
from mhu.services import metrics
from tests.dashboards.test_guard import router_request
from tests.factories import add_call, add_person, login, utc

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
# A configured window written out: "90 days", "48 h", "48-hour", "30 days".
HARD_CODED_WINDOW = re.compile(r"\b\d+\s*-?\s*(?:days?|h|hours?)\b")


def test_no_dashboard_file_writes_a_configured_window_itself():
    offenders = [f"{path.relative_to(DASHBOARDS)}: {match.group(0)}"
                 for path in sorted(DASHBOARDS.rglob("*.py"))
                 for match in HARD_CODED_WINDOW.finditer(path.read_text(encoding="utf-8"))]

    assert list(DASHBOARDS.rglob("*.py")), "the dashboard sources were not found"
    assert offenders == []


def test_a_changed_repeat_window_shows_on_the_pages(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "REPEAT_WINDOW_DAYS", 60)
    monkeypatch.setitem(app.config, "FOLLOWUP_DUE_HOURS", 36)
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/")

    repeat = router_request(client, "/dashboard/repeat")
    followups = router_request(client, "/dashboard/followups")

    assert repeat.status_code == 200 and b"Repeat contact" in repeat.data
    assert b"within 60 days after a previous contact" in repeat.data and b"90 days" not in repeat.data
    assert followups.status_code == 200 and b"within 36 h of the call clearing" in followups.data
    assert b"48 h" not in followups.data


def test_cards_take_title_and_definition_from_the_registry(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/")

    text = json.dumps(response.json, ensure_ascii=False)
    assert response.status_code == 200
    for key in ("jail_diversion_rate", "ed_use", "repeat_contact_rate", "followup_timeliness"):
        assert metrics.metric(key).title in text, key
        assert metrics.describe(key) in text, key


def test_high_utilizer_list_shows_the_agency_local_date(client, make):
    _, _, people = make.unit()  # America/Chicago
    officer = people["officer"]
    person = add_person(officer, "Lee Late")
    for day in (1, 3, 5):
        add_call(officer, utc(2026, 3, day, 15), person_id=person.id)
    # 02:30 UTC on 10 March is the evening of 9 March in Chicago.
    add_call(officer, utc(2026, 3, 10, 2, 30), person_id=person.id)
    login(client, people["supervisor"])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/repeat")

    assert response.status_code == 200 and b"high-utilizer-list" in response.data and b"Lee" in response.data
    assert b"2026-03-09" in response.data
    assert b"2026-03-10" not in response.data


def test_every_registered_page_is_declared_once_and_guarded(app, client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    client.get("/dashboard/")  # Dash imports the page modules on the first request

    registered = {entry["path"]: entry for entry in dash.page_registry.values()}

    assert sorted(registered) == sorted(page.path for page in site.PAGES)
    for page in site.PAGES:
        with app.test_request_context(page.href):
            login_user(people["admin"])  # a role no dashboard page admits
            with pytest.raises(Forbidden):
                registered[page.path]["layout"]()


def test_nav_links_and_their_filter_keeping_map_come_from_the_page_list(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])

    layout = client.get("/dashboard/_dash-layout")
    dependencies = client.get("/dashboard/_dash-dependencies")

    assert layout.status_code == 200 and dependencies.status_code == 200
    for page in site.PAGES:
        if page.partner or not page.in_nav:
            continue
        assert page.name.encode() in layout.data
    assert site.nav_href_script().encode() in dependencies.data or b"_pages_location" in dependencies.data

"""Administrators search and export the audit trail of their agency; nobody else can."""

import csv
import io

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.models.types import utcnow
from tests.factories import call_payload


def test_only_administrators_may_search_or_export_the_trail(make, api):
    _, _, people = make.unit()
    for role in ("officer", "clinician", "supervisor", "partner"):
        client = api(people[role])
        assert client.get("/api/v1/audit").status_code == 403
        assert client.get("/api/v1/audit/export").status_code == 403
    assert api(people["admin"]).get("/api/v1/audit").status_code == 200


def test_anonymous_requests_get_401(client):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit/export").status_code == 401


def test_search_by_user_record_action_and_time(make, api):
    _, _, people = make.unit()
    officer, clinician = api(people["officer"]), api(people["clinician"])
    first = officer.post("/api/v1/calls", json=call_payload()).json
    second = clinician.post("/api/v1/calls", json=call_payload()).json
    officer.get(f"/api/v1/calls/{second['id']}")
    admin = api(people["admin"])

    by_user = admin.get(f"/api/v1/audit?user_id={people['officer'].id}&action=call.read").json
    by_record = admin.get(f"/api/v1/audit?object_type=call&object_id={second['id']}").json
    future = admin.get("/api/v1/audit", query_string={"since": "2099-01-01T00:00:00+00:00"}).json

    assert [(e["action"], e["object_id"]) for e in by_user["items"]] == [("call.read", second["id"])]
    assert {e["action"] for e in by_record["items"]} == {"call.create", "call.read"}
    assert first["id"] not in {e["object_id"] for e in by_record["items"]}
    assert future["total"] == 0


def test_search_is_paginated_newest_first(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    for _ in range(5):
        officer.get("/api/v1/calls")
    admin = api(people["admin"])
    page1 = admin.get("/api/v1/audit?action=call.list&per_page=2&page=1").json
    page3 = admin.get("/api/v1/audit?action=call.list&per_page=2&page=3").json
    assert (page1["total"], page1["pages"], len(page1["items"]), len(page3["items"])) == (5, 3, 2, 1)
    assert page1["items"][0]["id"] > page1["items"][1]["id"]


def test_an_administrator_never_sees_another_agencys_events(make, api):
    _, _, people = make.unit()
    _, _, others = make.unit()
    api(others["officer"]).get("/api/v1/calls")
    listed = api(people["admin"]).get("/api/v1/audit?action=call.list").json
    assert listed["total"] == 0


def test_bad_filters_get_422_with_field_messages(make, api):
    _, _, people = make.unit()
    admin = api(people["admin"])
    response = admin.get("/api/v1/audit", query_string={"since": "yesterday", "per_page": "0"})
    assert response.status_code == 422
    assert {"since", "per_page"} <= set(response.json["errors"]["query"])
    reversed_range = admin.get("/api/v1/audit", query_string={
        "since": "2026-03-02T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00"})
    assert (reversed_range.status_code, reversed_range.json["total"]) == (200, 0)


def test_export_is_csv_and_is_itself_audited(make, api):
    _, _, people = make.unit()
    api(people["officer"]).post("/api/v1/calls", json=call_payload())
    admin = api(people["admin"])
    response = admin.get("/api/v1/audit/export?action=call.create")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["action"] for row in rows] == ["call.create"]
    assert rows[0]["user_id"] == str(people["officer"].id)
    export = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert export.user_id == people["admin"].id and export.outcome == "success"


def test_search_is_audited(make, api):
    _, _, people = make.unit()
    before = utcnow()
    api(people["admin"]).get("/api/v1/audit")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "audit.search"))
    assert event.role == "admin" and event.occurred_at >= before.replace(microsecond=0)


def test_export_escapes_cells_a_spreadsheet_would_run_as_formulas(make, api):
    _, team, people = make.unit()
    # The request id is the client's own header, and it reaches the exported trail.
    api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=team.id), headers={"X-Request-ID": "-2-3"})
    response = api(people["admin"]).get("/api/v1/audit/export?action=call.create")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["request_id"] for row in rows] == ["'-2-3"]

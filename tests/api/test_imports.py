"""POST /api/v1/imports and friends: supervisors and administrators of the agency only; the batch
runs in a background thread and is followed by polling; rejects download; undo."""

import csv
import io
import json
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call
from mhu.services import metrics
from mhu.services.metrics import MetricFilters

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
CSV = FIXTURES / "county-export.csv"
PROFILE = (FIXTURES / "county-profile.json").read_text()


@pytest.fixture
def inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORTS_INLINE", True)


def upload(client, **form):
    data = {"file": (io.BytesIO(CSV.read_bytes()), "county-export.csv"), "profile": PROFILE, **form}
    return client.post("/api/v1/imports", data=data, content_type="multipart/form-data")


def wait_for(client, batch_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{batch_id}").json
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still {body['status']}")


def test_a_supervisor_imports_in_the_background_and_polls_to_the_hand_counted_result(make, api):
    agency, _, people = make.unit()
    client = api(people["supervisor"])

    started = upload(client)

    assert started.status_code == 202, started.json
    assert started.headers["Location"] == f"/api/v1/imports/{started.json['id']}"
    db.session.commit()  # end the test's read transaction so the worker thread can write (SQLite)
    body = wait_for(client, started.json["id"])
    assert body["status"] == "done", body
    assert body["rows_done"] == body["rows_total"] == 9
    assert body["counts"] == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 3, "skipped": 1, "warnings": 2}
    assert {tuple(e.get("errors", [])) for e in body["errors"] if "errors" in e} >= {
        ("disposition: no mapping for 'Jail'",)}
    db.session.expire_all()
    summary = metrics.summary(filters=MetricFilters(agency_id=agency.id, date_from=date(2024, 2, 29),
                                                    date_to=date(2024, 3, 31)))
    assert summary["call_volume"] == 5 and summary["arrest_rate"]["numerator"] == 1


def test_dry_run_previews_the_first_rows_and_writes_nothing(make, api, inline):
    _, _, people = make.unit()

    body = upload(api(people["admin"]), dry_run="true").json

    assert body["status"] == "done" and body["dry_run"] is True
    assert body["counts"]["created"] == 5
    assert [row["row"] for row in body["preview"]][:2] == [2, 3]
    assert body["preview"][0]["fields"]["disposition"] == "resolved_on_scene"
    assert body["error_summary"]["disposition: no mapping for 'Jail'"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_rejects_csv_has_the_file_columns_and_mhu_errors(make, api, inline):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    batch = upload(client).json

    response = client.get(f"/api/v1/imports/{batch['id']}/rejects.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["ID"] for row in rows] == ["105", "106", "107"]
    assert rows[0]["mhu_errors"] == "disposition: no mapping for 'Jail'"


def test_undo_voids_the_created_calls_and_is_audited(make, api, inline):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    batch = upload(client).json

    undone = client.post(f"/api/v1/imports/{batch['id']}/undo")

    assert undone.status_code == 200 and undone.json["status"] == "undone"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call).where(Call.voided_at.is_(None))) == 0
    assert client.post(f"/api/v1/imports/{batch['id']}/undo").status_code == 409
    from mhu.models import AuditEvent
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.undo")) is not None
    again = upload(client).json
    assert again["counts"]["created"] == 5  # the keys were released with the undo


def test_a_broken_profile_is_refused_with_every_problem(make, api, inline):
    _, _, people = make.unit()

    response = upload(api(people["supervisor"]), profile=json.dumps({"version": 2, "fields": {"x": {}}}))

    assert response.status_code == 422
    problems = response.json["errors"]["json"]["profile"]
    assert any("version" in p for p in problems) and any("fields.x" in p for p in problems)


def test_missing_file_and_unknown_profile_name_are_422(make, api, inline):
    _, _, people = make.unit()
    client = api(people["supervisor"])

    no_file = client.post("/api/v1/imports", data={"profile": PROFILE}, content_type="multipart/form-data")
    unknown = upload(client, profile="Nobody's profile")

    assert no_file.status_code == 422 and "file" in no_file.json["errors"]["json"]
    assert unknown.status_code == 422 and "profile" in unknown.json["errors"]["json"]


def test_a_stored_profile_is_used_by_name(make, api, inline):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    upload(client)

    again = upload(client, profile="County mobile crisis export")

    assert again.status_code == 202 and again.json["counts"]["unchanged"] == 5


def test_the_profile_may_be_sent_as_a_json_file_part(make, api, inline):
    """`curl -F file=@export.csv -F profile=@profile.json` sends the profile as a file, not text."""
    _, _, people = make.unit()

    started = upload(api(people["supervisor"]), profile=(io.BytesIO(PROFILE.encode()), "county-profile.json"))

    assert started.status_code == 202, started.json
    assert started.json["counts"]["created"] == 5


@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "integration"])
def test_other_roles_may_not_import_read_or_undo_batches(make, api, inline, role):
    agency, team, people = make.unit()
    batch = upload(api(people["supervisor"])).json
    user = people.get(role) or make.user(role, agency, teams=[team])
    client = api(user)

    assert upload(client).status_code == 403
    assert client.get(f"/api/v1/imports/{batch['id']}").status_code == 403
    assert client.get(f"/api/v1/imports/{batch['id']}/rejects.csv").status_code == 403
    assert client.post(f"/api/v1/imports/{batch['id']}/undo").status_code == 403


def test_another_agencys_batch_is_missing(make, api, inline):
    _, _, people = make.unit()
    _, _, others = make.unit()
    batch = upload(api(people["supervisor"])).json

    assert api(others["supervisor"]).get(f"/api/v1/imports/{batch['id']}").status_code == 404
    assert api(others["supervisor"]).post(f"/api/v1/imports/{batch['id']}/undo").status_code == 404

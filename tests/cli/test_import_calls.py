"""flask import-calls end to end: the messy county export, counted by hand.

tests/fixtures/imports/county-export.csv (BOM, Windows line ends, blank lines) through the issue's
example profile (county-profile.json), rows by ID:
  101 created: resolved_on_scene (map), Eugene, psychotic_symptoms, CIT Y
  102 created: no request time (dispatch time used); End Point "Unable to locate client" wins over
      the contradictory Disposition "Arrest"; "eugene " -> Eugene; paranoia + Anxiety -> psychotic_symptoms, unknown
  103 created: date-only request time (midnight, warning); clear date 1900-01-01 is a placeholder
      (null); City Unknown -> null; End Point CANCELLED -> cancelled_before_arrival
  104 created: dispatch before request -> cleared (warning); Springfield -> Other (default);
      "remained  in   COMMUNITY" -> resolved_on_scene
  105 rejected: disposition: no mapping for 'Jail'
  106 rejected: no request nor dispatch time
  101 again: skipped (duplicate_keys first)
  107 rejected: CIT 'maybe'
  108 created: request time 1900-01-01T00:00:00 is a null value (dispatch time used); arrest
Counts: created 5, rejected 3, warnings 2, skipped 1. March 2024 (Los Angeles): volume 5; C' = 101,
104, 108 (102 not located, 103 cancelled); arrest 1/3, resolved in community 2/3, CIT presence 2/3.
"""

import csv
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Agency, Call, ImportBatch
from mhu.services import metrics
from mhu.services.metrics import MetricFilters

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
CSV = FIXTURES / "county-export.csv"
PROFILE = FIXTURES / "county-profile.json"
LA = ZoneInfo("America/Los_Angeles")


def run_import(runner, *extra, file=CSV, profile=PROFILE):
    return runner.invoke(args=["import-calls", str(file), "--mapping", str(profile), "--agency", "Lane County",
                               *extra])


def lines(output: str) -> dict:
    return {line.split()[0]: int(line.split()[1]) for line in output.splitlines()
            if line.split() and line.split()[0] in ("created", "updated", "unchanged", "rejected", "warnings", "skipped")}


def calls_by_incident() -> dict:
    return {call.incident_number: call for call in db.session.scalars(sa.select(Call).where(Call.voided_at.is_(None)))}


def march(agency) -> MetricFilters:
    return MetricFilters(agency_id=agency.id, date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))


def test_import_of_the_messy_export_gives_the_hand_counted_calls_and_metrics(runner):
    result = run_import(runner)

    assert result.exit_code == 0, result.output
    assert lines(result.output) == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 3, "warnings": 2,
                                    "skipped": 1}
    calls = calls_by_incident()
    assert sorted(calls) == ["101", "102", "103", "104", "108"]
    assert calls["101"].disposition == "resolved_on_scene" and calls["101"].district == "Eugene"
    assert calls["101"].presenting_problems == ["psychotic_symptoms"] and calls["101"].cit_officer_on_scene
    assert calls["101"].received_at == datetime(2024, 3, 1, 10, tzinfo=LA)
    assert calls["101"].cleared_at == datetime(2024, 3, 1, 11, tzinfo=LA)
    assert calls["102"].received_at == datetime(2024, 3, 1, 14, 15, tzinfo=LA)
    assert calls["102"].disposition == "unable_to_locate" and calls["102"].district == "Eugene"
    assert sorted(calls["102"].presenting_problems) == ["psychotic_symptoms", "unknown"]
    assert calls["103"].received_at == datetime(2024, 3, 2, 0, 0, tzinfo=LA)
    assert calls["103"].cleared_at is None and calls["103"].district is None
    assert calls["103"].disposition == "cancelled_before_arrival" and calls["103"].presenting_problems == []
    assert calls["104"].dispatched_at is None and calls["104"].district == "Other"
    assert calls["104"].disposition == "resolved_on_scene"
    assert calls["108"].received_at == datetime(2024, 3, 5, 10, tzinfo=LA) and calls["108"].disposition == "arrest"
    assert all(call.call_source == "911" and call.sim_intercept == 0 for call in calls.values())

    summary = metrics.summary(filters=march(db.session.scalar(sa.select(Agency))))
    assert summary["call_volume"] == 5
    assert summary["arrest_rate"] == {"numerator": 1, "denominator": 3, "value": 1 / 3}
    assert summary["resolved_in_community"] == {"numerator": 2, "denominator": 3, "value": 2 / 3}
    assert summary["cit_presence"] == {"numerator": 2, "denominator": 3, "value": 2 / 3}


def test_rejects_file_has_the_original_columns_and_the_reasons(runner, tmp_path):
    rejects = tmp_path / "rejects.csv"

    result = run_import(runner, "--rejects", str(rejects))

    assert result.exit_code == 0, result.output
    with open(rejects, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["ID"] for row in rows] == ["105", "106", "107"]
    assert rows[0]["mhu_errors"] == "disposition: no mapping for 'Jail'"
    assert rows[1]["mhu_errors"].startswith("received_at: required")
    assert rows[2]["mhu_errors"].startswith("cit_officer_on_scene: 'maybe'")


def test_importing_the_same_file_again_changes_nothing(runner):
    run_import(runner)
    first = {number: (call.version, call.updated_at) for number, call in calls_by_incident().items()}

    again = run_import(runner)

    assert again.exit_code == 0, again.output
    assert lines(again.output)["created"] == 0 and lines(again.output)["unchanged"] == 5
    db.session.expire_all()
    # Not even the bookkeeping of which batch saw the record last touches the call's version or time.
    assert {number: (call.version, call.updated_at) for number, call in calls_by_incident().items()} == first


def test_a_changed_row_updates_its_call_and_undo_restores_it(runner, api, make, tmp_path):
    run_import(runner)
    changed = tmp_path / "changed.csv"
    changed.write_bytes(CSV.read_bytes().replace(b"Remained in community", b"Arrest", 1))

    result = run_import(runner, file=changed)

    assert lines(result.output)["updated"] == 1 and lines(result.output)["unchanged"] == 4
    assert calls_by_incident()["101"].disposition == "arrest"
    agency = db.session.scalar(sa.select(Agency))
    assert metrics.summary(filters=march(agency))["arrest_rate"]["numerator"] == 2
    supervisor = make.user("supervisor", agency)
    batch = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.created_at.desc())).first()
    undone = api(supervisor).post(f"/api/v1/imports/{batch.id}/undo")
    assert undone.status_code == 200, undone.json
    db.session.expire_all()
    assert calls_by_incident()["101"].disposition == "resolved_on_scene"
    assert metrics.summary(filters=march(agency))["arrest_rate"]["numerator"] == 1


def test_dry_run_counts_but_writes_nothing(runner):
    result = run_import(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert lines(result.output)["created"] == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_a_broken_profile_exits_1_listing_every_problem(runner, tmp_path):
    profile = tmp_path / "bad.json"
    profile.write_text('{"version": 2, "name": "x", "timezone": "Mars/Base", "key": ["ID"],'
                       ' "fields": {"received_at": {"column": "A"}, "colour": {"value": "red"}}}')

    result = run_import(runner, profile=profile)

    assert result.exit_code == 1
    assert "version: must be 1" in result.output
    assert "timezone: 'Mars/Base'" in result.output
    assert "fields.colour: unknown MHU field" in result.output


def test_a_profile_naming_a_missing_column_exits_1(runner, tmp_path):
    profile = tmp_path / "p.json"
    body = json.loads(PROFILE.read_text())
    body["fields"]["received_at"]["column"] = ["Request Time", "Call Time"]
    profile.write_text(json.dumps(body))

    result = run_import(runner, profile=profile)

    assert result.exit_code == 1
    assert "column 'Call Time' is not in the file" in result.output


def test_bad_arguments_exit_2(runner, tmp_path):
    assert run_import(runner, file=tmp_path / "missing.csv").exit_code == 2
    assert runner.invoke(args=["import-calls", str(CSV), "--agency", "X"]).exit_code == 2

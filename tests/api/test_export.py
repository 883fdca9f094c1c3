"""GET /api/v1/calls.csv: documented columns, agency-local times with offset, lists joined with
`;`, formula-safe cells, supervisors and administrators only; and the round trip through the
shipped mhu-export profile into an empty agency: same calls, same metrics."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call
from mhu.services import metrics
from mhu.services.export import COLUMNS
from tests.factories import add_call, filters_for, utc, void

EXPORT_PROFILE = Path(__file__).resolve().parents[2] / "docs" / "import" / "mhu-export.json"
COMPARED = ("incident_number", "received_at", "dispatched_at", "arrived_at", "cleared_at", "call_source", "nature",
            "initial_call_type", "final_call_type", "sim_intercept", "arrestable_offense", "district", "beat",
            "address", "latitude", "longitude", "cit_officer_on_scene", "transfer_in", "transfer_out", "force_level",
            "disposition", "legal_hold_type", "followup_required", "narrative")


def some_calls(officer):
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, incident_number="A1", disposition="arrest", arrestable_offense="felony",
             presenting_problems=["psychotic_symptoms", "substance_use"], risk_flags=["weapon_knife"],
             cit_officer_on_scene=True, district="North", beat="N1", address="1 Main St", latitude=41.5,
             longitude=-87.25, initial_call_type="10-96", final_call_type="415")
    add_call(officer, t + timedelta(days=1), incident_number="A2", disposition="cancelled_before_arrival",
             dispatched_at=None, arrived_at=None, cleared_at=None, call_source="on_view", nature="welfare_check")
    add_call(officer, t + timedelta(days=2), incident_number="A3", disposition="voluntary_transport_ed",
             transfer_in="988", transfer_out="ems", force_level="physical_control", narrative="=1+2 calm, \"quoted\"; two\nlines")
    add_call(officer, utc(2026, 4, 1, 3), incident_number="A4", disposition=None, sim_intercept=0,
             legal_hold_type="5150")  # 31 March in Chicago
    add_call(officer, t + timedelta(days=3), incident_number="A5", disposition="unable_to_locate",
             arrestable_offense="misdemeanor")
    void(officer, add_call(officer, t, incident_number="VOID", disposition="arrest"))


def export(client, query=""):
    response = client.get(f"/api/v1/calls.csv{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_export_columns_times_lists_and_safe_cells(make, api):
    agency, _, people = make.unit()
    some_calls(people["officer"])

    response = export(api(people["supervisor"]))

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert tuple(rows[0]) == COLUMNS
    assert not any("note" in column for column in COLUMNS)
    by_number = {row["incident_number"]: row for row in rows}
    assert "VOID" not in by_number
    assert by_number["A1"]["received_at"] == "2026-03-10T10:00:00-05:00"  # Chicago, daylight time
    assert by_number["A1"]["presenting_problems"] == "psychotic_symptoms;substance_use"
    assert by_number["A1"]["longitude"] == "-87.25"
    assert by_number["A3"]["narrative"].startswith("'=1+2")


def test_export_applies_the_list_filters(make, api):
    _, _, people = make.unit()
    some_calls(people["officer"])

    rows = list(csv.DictReader(io.StringIO(
        export(api(people["admin"]), "?disposition=arrest&from=2026-03-01&to=2026-03-31").get_data(as_text=True))))

    assert [row["incident_number"] for row in rows] == ["A1"]


@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "integration"])
def test_other_roles_may_not_export(make, api, role):
    agency, team, people = make.unit()
    user = people.get(role) or make.user(role, agency, teams=[team])

    assert api(user).get("/api/v1/calls.csv").status_code == 403


def test_the_export_reimports_into_an_empty_agency_with_the_same_calls_and_metrics(make, api, runner, tmp_path):
    agency, _, people = make.unit("Source PD")
    some_calls(people["officer"])
    path = tmp_path / "calls.csv"
    path.write_bytes(export(api(people["supervisor"])).get_data())
    copy = make.agency("Copy PD")
    make.team(copy, "Imported")

    result = runner.invoke(args=["import-calls", str(path), "--mapping", str(EXPORT_PROFILE), "--agency", "Copy PD"])

    assert result.exit_code == 0, result.output
    assert "created 5" in result.output and "rejected 0" in result.output
    db.session.expire_all()

    def calls_of(agency_id):
        rows = db.session.scalars(sa.select(Call).where(Call.agency_id == agency_id, Call.voided_at.is_(None)))
        return {call.incident_number: ({name: getattr(call, name) for name in COMPARED},
                                       call.presenting_problems, call.risk_flags, call.local_date) for call in rows}

    assert calls_of(copy.id) == calls_of(agency.id)
    assert metrics.summary(filters=filters_for(copy)) == metrics.summary(filters=filters_for(agency))

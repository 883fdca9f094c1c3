"""CAD history the unit did not attend comes in as patrol-only calls without a team, through a
file import (mapped column) or the CAD feed, and an undo or re-import keeps the team rule."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call
from mhu.services import imports, metrics
from mhu.services.imports.profile import parse_profile
from tests.factories import filters_for

PROFILE = {"version": 1, "name": "CAD history", "timezone": "America/Chicago", "key": ["Id"],
           "fields": {"incident_number": {"column": "Id"}, "received_at": {"column": "When"},
                      "nature": {"value": "mh_crisis"},
                      "responder_type": {"column": "Unit", "map": {"MHU": "co_responder", "Patrol": "patrol_only"}},
                      "not_taken_reason": {"column": "Why", "map": {"busy": "no_unit_available"}}}}


def import_file(unit, tmp_path, text, name="cad.csv"):
    agency, team, officer = unit
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    batch = imports.create_batch(actor=officer, agency=agency, team=team, profile=parse_profile(PROFILE),
                                 source=path, filename=path.name)
    return imports.run(batch)


def by_number() -> dict:
    return {c.incident_number: c for c in db.session.scalars(sa.select(Call).where(Call.voided_at.is_(None)))}


def test_imported_patrol_rows_have_no_team_and_stay_out_of_unit_metrics(unit, tmp_path):
    agency, team, _ = unit

    batch = import_file(unit, tmp_path, "Id,When,Unit,Why\n1,2026-03-10 10:00,MHU,\n2,2026-03-10 11:00,Patrol,busy\n")

    calls = by_number()
    assert batch.status == "done" and batch.created == 2
    assert (calls["1"].team_id, calls["1"].responder_type) == (team.id, "co_responder")
    assert (calls["2"].team_id, calls["2"].responder_type, calls["2"].not_taken_reason) == (
        None, "patrol_only", "no_unit_available")
    assert metrics.call_volume(filters=filters_for(agency)) == 1


def test_reimport_turning_a_patrol_row_into_a_unit_call_gives_it_the_batch_team(unit, tmp_path):
    _, team, _ = unit
    import_file(unit, tmp_path, "Id,When,Unit,Why\n2,2026-03-10 11:00,Patrol,busy\n")

    batch = import_file(unit, tmp_path, "Id,When,Unit,Why\n2,2026-03-10 11:00,MHU,\n", name="fixed.csv")

    assert batch.status == "done" and batch.updated == 1
    db.session.expire_all()
    assert (by_number()["2"].team_id, by_number()["2"].responder_type) == (team.id, "co_responder")


def test_the_cad_feed_records_a_patrol_only_incident_without_a_team(make, api):
    agency, team, people = make.unit()
    integration = make.user("integration", agency, teams=[team])
    incident = {"incident_number": "C26-9", "received_at": "2026-03-10T10:00:00-05:00", "nature": "mh_crisis",
                "responder_type": "patrol_only", "not_taken_reason": "outside_hours"}

    response = api(integration).post("/api/v1/cad/incidents", json={"incident": incident})

    assert response.status_code == 201, response.json
    call = db.session.scalar(sa.select(Call))
    assert (call.team_id, call.responder_type, call.not_taken_reason) == (None, "patrol_only", "outside_hours")

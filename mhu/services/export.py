"""Row-level export of calls (CSV): one row per call, documented columns (docs/import/README.md).

No clinical notes, no person identity: the person column is MHU's random person id. Times are in
the agency's zone with their offset; list fields are joined with `;`. Streamed: rows are read in
chunks and written as they come, so a million calls never sit in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, CallInjury, CallPresentingProblem, CallRiskFlag, Team, User
from mhu.services import audit
from mhu.services.calls import calls_query
from mhu.services.csv_writer import write_rows

COLUMNS = (
    "id", "incident_number", "received_at", "dispatched_at", "arrived_at", "cleared_at", "call_source", "nature",
    "initial_call_type", "final_call_type", "presenting_problems", "risk_flags", "sim_intercept",
    "arrestable_offense", "team", "person_id", "district", "beat", "address", "latitude", "longitude",
    "cit_officer_on_scene", "transfer_in", "transfer_out", "force_level", "injuries", "disposition",
    "legal_hold_type", "followup_required", "narrative", "created_at", "updated_at",
)
TIME_COLUMNS = ("received_at", "dispatched_at", "arrived_at", "cleared_at", "created_at", "updated_at")
CHUNK = 1000


def export_calls(*, actor: User, filters: dict) -> Iterator[str]:
    """CSV lines of the actor's agency's calls matching the list filters, oldest first."""
    audit.record(action="call.export", actor=actor, object_type="call", object_id=None, commit=True)
    zone = ZoneInfo(actor.agency.timezone)
    teams = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.agency_id == actor.agency_id)).all())
    query = calls_query(actor=actor, filters=filters).with_only_columns(*Call.__table__.c).order_by(
        Call.received_at, Call.id)
    return write_rows(COLUMNS, _rows(query, zone, teams))


def _rows(query, zone, teams):
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    for part in result.partitions(CHUNK):
        ids = [row.id for row in part]
        lists = _lists(ids)
        for row in part:
            yield _row(row._mapping, zone, teams, lists)


def _lists(ids) -> dict:
    found = {"presenting_problems": {}, "risk_flags": {}, "injuries": {}}
    for call_id, value in db.session.execute(
            sa.select(CallPresentingProblem.call_id, CallPresentingProblem.problem)
            .where(CallPresentingProblem.call_id.in_(ids)).order_by(CallPresentingProblem.problem)):
        found["presenting_problems"].setdefault(call_id, []).append(value)
    for call_id, value in db.session.execute(
            sa.select(CallRiskFlag.call_id, CallRiskFlag.flag).where(CallRiskFlag.call_id.in_(ids))
            .order_by(CallRiskFlag.flag)):
        found["risk_flags"].setdefault(call_id, []).append(value)
    for call_id, party, severity in db.session.execute(
            sa.select(CallInjury.call_id, CallInjury.party, CallInjury.severity).where(CallInjury.call_id.in_(ids))
            .order_by(CallInjury.id)):
        found["injuries"].setdefault(call_id, []).append(f"{party}:{severity}")
    return found


def _row(call, zone, teams, lists) -> list:
    cells = []
    for name in COLUMNS:
        if name in lists:
            cells.append(";".join(lists[name].get(call["id"], [])))
        elif name == "team":
            cells.append(teams.get(call["team_id"], ""))
        elif name in TIME_COLUMNS:
            moment = call[name]
            cells.append(moment.astimezone(zone).isoformat() if moment is not None else "")
        elif name in ("cit_officer_on_scene", "followup_required"):
            cells.append("true" if call[name] else "false")
        else:
            value = call[name]
            cells.append("" if value is None else value)
    return cells

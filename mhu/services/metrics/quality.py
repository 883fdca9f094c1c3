"""Data-quality checks: what a call is missing. The counts (breakdowns.data_quality), the day
rollups behind them and the drill-down lists all use these conditions."""

from __future__ import annotations

import sqlalchemy as sa

from mhu.models import Call, ClinicalNote
from mhu.services.metrics.sql import seconds_between, unindexed

LATE_NOTE_HOURS = 72


def _late_note():
    return sa.exists(
        sa.select(1).where(
            ClinicalNote.call_id == Call.id,
            seconds_between(sa.func.coalesce(Call.cleared_at, Call.received_at), ClinicalNote.created_at)
            > LATE_NOTE_HOURS * 3600,
        )
    )


# check -> condition on a call.
QUALITY_CHECKS = {
    "missing_disposition": lambda: Call.disposition.is_(None),
    "missing_intercept": lambda: Call.sim_intercept.is_(None),
    "missing_times": lambda: sa.or_(Call.dispatched_at.is_(None), Call.arrived_at.is_(None), Call.cleared_at.is_(None)),
    # Unindexed on SQLite: its planner took ix_call_person_received for "person_id IS NULL" (every
    # call without a person) over the day's calls, 50 ms per call written at 100,000 calls.
    "missing_person": lambda: unindexed(Call.person_id).is_(None),
    "late_notes": _late_note,
}

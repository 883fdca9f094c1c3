"""Patrol-only calls (CAD history the unit did not attend) never change the unit's own metrics."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import FollowUp
from mhu.services import metrics
from tests.factories import add_call, add_person, utc, value


def add_patrol_calls(actor):
    """Patrol-only calls that would move every call-based rate if they were counted."""
    t = utc(2026, 3, 10, 15)
    person = add_person(actor, "Sam Patrol")
    for offset in range(3):
        add_call(actor, t + timedelta(hours=offset), responder_type="patrol_only", disposition="arrest",
                 arrestable_offense="felony", force_level="less_lethal", cit_officer_on_scene=True,
                 injuries=[{"party": "subject", "severity": "serious"}], person_id=person.id,
                 not_taken_reason="not_requested")


@pytest.mark.parametrize("name, expected", [
    ("arrest_rate", value(1, 6)), ("diversion_from_arrest", value(1, 3)), ("ed_use", value(2, 6)),
    ("use_of_force_rate", value(1, 6)), ("injury_rate", value(1, 6)), ("cit_presence", value(2, 6)),
])
def test_known_answer_rates_are_unchanged_by_patrol_only_calls(outcomes, unit, name, expected):
    add_patrol_calls(unit[2])

    assert getattr(metrics, name)(filters=outcomes) == expected


def test_call_volume_and_summary_leave_patrol_only_calls_out(outcomes, unit):
    before = metrics.summary(filters=outcomes)
    add_patrol_calls(unit[2])

    after = metrics.summary(filters=outcomes)

    assert after["call_volume"] == before["call_volume"] == 7
    assert after == before


def test_patrol_only_call_has_no_team_and_no_follow_up(unit):
    call = add_call(unit[2], utc(2026, 3, 10, 15), responder_type="patrol_only", followup_required=True)

    assert call.team_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp).where(FollowUp.call_id == call.id)) == 0

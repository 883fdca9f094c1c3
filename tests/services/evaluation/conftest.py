"""An agency with eligibility rules and hand-counted calls for the evaluation tests.

Rules: natures mh_crisis and suicide_threat or CAD type 10-96 are in scope, a gun excludes, the
unit works Monday to Friday 08:00-20:00 (America/Chicago; 10 March 2026 is a Tuesday, CDT = UTC-5).
"""

from datetime import datetime, timedelta, timezone

import pytest

from mhu.services import agency_settings
from tests.factories import add_call, void

RULES = {"natures": ["mh_crisis", "suicide_threat"], "call_types": ["10-96"], "exclude_risk_flags": ["weapon_gun"],
         "service_hours": {str(day): [[8, 20]] for day in range(5)}}
TUESDAY_10 = datetime(2026, 3, 10, 15, tzinfo=timezone.utc)  # 10:00 local
SATURDAY_10 = datetime(2026, 3, 14, 15, tzinfo=timezone.utc)
TUESDAY_22 = datetime(2026, 3, 11, 3, tzinfo=timezone.utc)  # 22:00 local on Tuesday


def patrol(actor, received, **fields):
    return add_call(actor, received, responder_type="patrol_only", **fields)


@pytest.fixture
def evaluation_unit(make):
    """(agency, team, people) with the eligibility rules set by the agency's administrator."""
    agency, team, people = make.unit()
    agency_settings.update_settings(actor=people["admin"], changes={"eligibility": RULES})
    return agency, team, people


@pytest.fixture
def funnel_calls(evaluation_unit):
    """Ten calls whose funnel stage and reason are worked out by hand (see each comment)."""
    agency, team, people = evaluation_unit
    officer = people["officer"]
    calls = {
        # in scope, in hours, requested, responded
        "taken": add_call(officer, TUESDAY_10, district="North"),
        # in hours, requested, not taken: no unit available (recorded)
        "busy": patrol(officer, TUESDAY_10, district="North", not_taken_reason="no_unit_available"),
        # in hours, not requested (derived)
        "unasked": patrol(officer, TUESDAY_10 + timedelta(minutes=5), district="South"),
        # outside hours (derived)
        "weekend": patrol(officer, SATURDAY_10, nature="suicide_threat", district="South"),
        # in scope by call type (case-blind), outside hours, recorded safety exclusion wins
        "by_type": patrol(officer, TUESDAY_22, nature="other", final_call_type="10-96 ", initial_call_type="x",
                          not_taken_reason="safety_exclusion", district="South"),
        # excluded by a risk flag: out of scope
        "gun": patrol(officer, TUESDAY_10, risk_flags=["weapon_gun", "intoxicated"]),
        # nature not listed: out of scope
        "criminal": patrol(officer, TUESDAY_10, nature="criminal"),
        # unit took an in-scope call outside hours
        "weekend_unit": add_call(officer, SATURDAY_10),
        # unit took an out-of-scope call
        "other_unit": add_call(officer, TUESDAY_10, nature="other"),
        # voided: not counted
        "voided": patrol(officer, TUESDAY_10),
    }
    void(people["supervisor"], calls["voided"])
    return calls

"""Known-answer tests of the eligibility funnel, its reasons, the scope rule and the coverage gaps."""

from mhu.services import evaluation
from tests.factories import filters_for


def test_funnel_counts_each_stage_of_the_hand_counted_calls(evaluation_unit, funnel_calls):
    result = evaluation.funnel(filters=filters_for(evaluation_unit[0]))

    assert result["calls"] == 9
    assert [(s["stage"], s["count"]) for s in result["stages"]] == [
        ("in_scope", 6), ("in_hours", 3), ("requested", 2), ("responded", 1)]
    assert result["stages"][1]["share_of_in_scope"] == 3 / 6
    assert result["coverage"] == {"numerator": 1, "denominator": 3, "value": 1 / 3}
    assert (result["out_of_scope"], result["excluded_by_risk_flag"]) == (3, 1)
    assert (result["responded_outside_hours"], result["responded_out_of_scope"]) == (1, 1)


def test_every_in_scope_call_not_taken_has_one_reason(evaluation_unit, funnel_calls):
    result = evaluation.funnel(filters=filters_for(evaluation_unit[0]))

    assert {r["reason"]: r["count"] for r in result["reasons"]} == {
        "no_unit_available": 1, "outside_hours": 1, "safety_exclusion": 1, "not_requested": 1, "cancelled": 0,
        "other": 0}
    assert result["not_taken"] == 4 == result["stages"][0]["count"] - 2


def test_each_call_states_the_rule_that_decided_its_scope(evaluation_unit, funnel_calls):
    scope = {name: evaluation.call_scope(call) for name, call in funnel_calls.items()}

    assert scope["taken"] == {"configured": True, "in_scope": True, "rule": "in scope: nature mh_crisis",
                              "stages": ["in_scope", "in_hours", "requested", "responded"], "reason": None}
    assert scope["by_type"]["rule"] == "in scope: call type 10-96"
    assert scope["by_type"]["reason"] == "safety_exclusion"
    assert scope["gun"]["rule"] == "excluded by risk flag weapon_gun" and not scope["gun"]["in_scope"]
    assert scope["criminal"]["rule"] == "out of scope: nature criminal and call type (none) not listed"
    assert scope["weekend"]["reason"] == "outside_hours" and scope["unasked"]["reason"] == "not_requested"


def test_drill_down_lists_the_calls_of_a_reason(evaluation_unit, funnel_calls):
    listed = evaluation.funnel_calls(filters=filters_for(evaluation_unit[0]), stage="not_taken", reason="outside_hours")

    assert listed["total"] == 1
    assert [row["id"] for row in listed["calls"]] == [funnel_calls["weekend"].id]


def test_coverage_gaps_count_not_taken_calls_by_hour_weekday_and_district(evaluation_unit, funnel_calls):
    gaps = evaluation.coverage_gaps(filters=filters_for(evaluation_unit[0]))

    assert gaps["hour_weekday"] == [{"weekday": 1, "hour": 10, "count": 2}, {"weekday": 1, "hour": 22, "count": 1},
                                    {"weekday": 5, "hour": 10, "count": 1}]
    assert gaps["district"] == [{"district": "South", "count": 3}, {"district": "North", "count": 1}]


def test_without_rules_the_funnel_says_it_is_not_configured(unit):
    agency, _, _ = unit

    assert evaluation.funnel(filters=filters_for(agency))["configured"] is False

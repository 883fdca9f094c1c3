"""Known-answer tests for the call-based metrics of DESIGN.md section 5, on small hand-built data.

The agency is in America/Chicago; March 2026 is the period unless a test says otherwise.
"""

from datetime import date, timedelta

import pytest

from mhu import enums
from mhu.extensions import db
from mhu.services import care, metrics
from tests.factories import MARCH, add_call, add_person, filters_for, utc, value

def test_call_volume_counts_unable_to_locate_but_not_voided(outcomes):
    assert metrics.call_volume(filters=outcomes) == 7


@pytest.mark.parametrize("name, expected", [
    ("arrest_rate", value(1, 6)),
    ("jail_diversion_rate", value(4, 6)),
    ("diversion_from_arrest", value(1, 3)),
    ("resolved_in_community", value(1, 6)),
    ("ed_use", value(2, 6)),
    ("emergency_detention_rate", value(1, 6)),
    ("connection_to_services", value(2, 6)),
    ("use_of_force_rate", value(1, 6)),
    ("injury_rate", value(1, 6)),
    ("cit_presence", value(2, 6)),
    ("call_type_reclassified", value(1, 2)),
])
def test_call_based_rate_uses_located_calls_as_base(outcomes, name, expected):
    assert getattr(metrics, name)(filters=outcomes) == expected


def test_summary_matches_each_metric_function(outcomes):
    summary = metrics.summary(filters=outcomes)

    for name in metrics.CALL_RATES:
        assert summary[name] == getattr(metrics, name)(filters=outcomes), name
    assert summary["call_volume"] == 7


def test_summary_has_exactly_the_documented_keys(outcomes):
    assert set(metrics.summary(filters=outcomes)) == {
        "call_volume", "arrest_rate", "jail_diversion_rate", "diversion_from_arrest", "resolved_in_community",
        "ed_use", "emergency_detention_rate", "connection_to_services", "use_of_force_rate", "injury_rate",
        "repeat_contact_rate", "repeat_call_share", "high_utilizers", "followup_timeliness",
        "followup_completion", "recrisis_after_followup", "cit_presence", "call_type_reclassified",
        "response_time", "time_on_scene",
    }


def test_referral_linkage_counts_referrals_on_located_calls(outcomes):
    assert metrics.referral_linkage(filters=outcomes) == value(1, 3)


def test_injury_rate_by_party_counts_minor_or_worse_only(outcomes):
    by_party = metrics.injury_rate_by_party(filters=outcomes)

    assert by_party["subject"] == value(1, 6)
    assert by_party["officer"] == value(0, 6)


def test_empty_period_gives_zero_counts_and_null_rates(unit):
    agency, _, _ = unit

    summary = metrics.summary(filters=filters_for(agency))

    assert summary["call_volume"] == 0
    assert summary["high_utilizers"] == 0
    for name in metrics.CALL_RATES:
        assert summary[name] == {"numerator": 0, "denominator": 0, "value": None}
    assert summary["response_time"] == {"median_seconds": None, "p90_seconds": None}
    assert summary["repeat_contact_rate"]["value"] is None
    assert summary["followup_timeliness"]["value"] is None


def test_only_unable_to_locate_calls_give_volume_and_null_rates(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 5, 18), disposition="unable_to_locate")

    summary = metrics.summary(filters=filters_for(agency))

    assert summary["call_volume"] == 1
    assert summary["arrest_rate"] == {"numerator": 0, "denominator": 0, "value": None}


def test_cancelled_before_arrival_counts_in_volume_but_not_in_any_rate_base(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 5, 18), disposition="cancelled_before_arrival", arrestable_offense="felony",
             cit_officer_on_scene=True, force_level="physical_control")
    add_call(officer, utc(2026, 3, 6, 18), disposition="arrest", arrestable_offense="felony")

    summary = metrics.summary(filters=filters_for(agency))

    assert summary["call_volume"] == 2
    assert summary["arrest_rate"] == value(1, 1)
    assert summary["jail_diversion_rate"] == value(0, 1)
    assert summary["diversion_from_arrest"] == value(0, 1)
    assert summary["cit_presence"] == value(0, 1)
    assert summary["use_of_force_rate"] == value(0, 1)


def test_local_date_decides_the_period_not_the_utc_date(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 4, 1, 3))  # 22:00 on 31 March in Chicago: in March
    add_call(officer, utc(2026, 3, 1, 4))  # 22:00 on 28 February in Chicago: not in March

    assert metrics.call_volume(filters=filters_for(agency)) == 1
    assert metrics.call_volume(filters=filters_for(agency, date(2026, 2, 28), date(2026, 2, 28))) == 1


def test_response_time_and_time_on_scene_percentiles_are_interpolated(unit):
    agency, _, officer = unit
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, dispatched_at=t, arrived_at=t + timedelta(minutes=9), cleared_at=t + timedelta(minutes=53))
    add_call(officer, t, dispatched_at=t, arrived_at=t + timedelta(minutes=21), cleared_at=t + timedelta(minutes=51))
    add_call(officer, t, dispatched_at=None, arrived_at=None, cleared_at=None)  # no times: left out

    assert metrics.response_time(filters=filters_for(agency)) == {"median_seconds": 900.0, "p90_seconds": 1188.0}
    assert metrics.time_on_scene(filters=filters_for(agency)) == {"median_seconds": 2220.0, "p90_seconds": 2556.0}


def test_response_time_from_received_uses_received_at(unit):
    agency, _, officer = unit
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, dispatched_at=t + timedelta(minutes=4), arrived_at=t + timedelta(minutes=10))

    assert metrics.response_time(filters=filters_for(agency), from_received=True)["median_seconds"] == 600.0


def test_filters_narrow_by_team_district_source_and_intercept(make, unit):
    agency, team, officer = unit
    other_team = make.team(agency)
    supervisor = make.user("supervisor", agency)
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, district="North", call_source="911")
    add_call(supervisor, t, team_id=other_team.id, district="South", call_source="988_transfer", sim_intercept=0)

    assert metrics.call_volume(filters=filters_for(agency, team_ids=frozenset({team.id}))) == 1
    assert metrics.call_volume(filters=filters_for(agency, district="South")) == 1
    assert metrics.call_volume(filters=filters_for(agency, call_source="911")) == 1
    assert metrics.call_volume(filters=filters_for(agency, sim_intercept=0)) == 1
    assert metrics.call_volume(filters=filters_for(agency, team_ids=frozenset())) == 0


def test_officer_scope_is_limited_to_own_teams(make, unit):
    agency, team, officer = unit
    other_team = make.team(agency)
    supervisor = make.user("supervisor", agency)
    add_call(supervisor, utc(2026, 3, 10, 15), team_id=other_team.id)

    officer_filters = metrics.scoped_filters(actor=officer, date_from=MARCH[0], date_to=MARCH[1])
    asked_other = metrics.scoped_filters(actor=officer, date_from=MARCH[0], date_to=MARCH[1], team_id=other_team.id)
    supervisor_filters = metrics.scoped_filters(actor=supervisor, date_from=MARCH[0], date_to=MARCH[1])

    assert metrics.call_volume(filters=officer_filters) == 0
    assert metrics.call_volume(filters=asked_other) == 0
    assert metrics.call_volume(filters=supervisor_filters) == 1


def test_other_agency_calls_never_count(make, unit):
    agency, _, _ = unit
    _, _, others = make.unit()
    add_call(others["officer"], utc(2026, 3, 10, 15))

    assert metrics.call_volume(filters=filters_for(agency)) == 0


def test_monthly_series_buckets_by_local_month(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 1, 4), disposition="arrest")  # 28 Feb local
    add_call(officer, utc(2026, 3, 15, 15))
    add_call(officer, utc(2026, 4, 1, 3), disposition="unable_to_locate")  # 31 Mar local

    series = metrics.time_series(filters=filters_for(agency, date(2026, 2, 1), date(2026, 3, 31)), interval="month")

    assert [(row["period"], row["call_volume"]) for row in series] == [("2026-02-01", 1), ("2026-03-01", 2)]
    assert series[0]["arrest_rate"] == value(1, 1)
    assert series[1]["arrest_rate"] == value(0, 1)


def test_weekly_and_daily_series_start_on_monday_and_local_day(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 11, 15))  # Wednesday
    add_call(officer, utc(2026, 3, 16, 3))  # Sunday 15th, 22:00 local

    weekly = metrics.time_series(filters=filters_for(agency), interval="week", names=())
    daily = metrics.time_series(filters=filters_for(agency), interval="day", names=())

    assert [(row["period"], row["call_volume"]) for row in weekly] == [("2026-03-09", 2)]
    assert [row["period"] for row in daily] == ["2026-03-11", "2026-03-15"]


def test_breakdowns_count_calls_per_value(outcomes):
    by_disposition = {row["key"]: row["count"] for row in metrics.breakdown(filters=outcomes, dimension="disposition")}
    force = metrics.breakdown(filters=outcomes, dimension="force")
    legal_hold = metrics.breakdown(filters=outcomes, dimension="legal_hold")
    transfers = {row["key"]: row["count"] for row in metrics.breakdown(filters=outcomes, dimension="transfers")}

    assert by_disposition["arrest"] == 1 and by_disposition["missing"] == 1 and by_disposition["unable_to_locate"] == 1
    assert sum(by_disposition.values()) == 7
    assert [row["key"] for row in force] == list(enums.FORCE_LEVELS)
    assert {row["key"]: row["count"] for row in force}["physical_control"] == 1
    assert {row["key"]: row["count"] for row in force}["deadly_force"] == 0  # unable_to_locate is outside C'
    assert legal_hold == [{"key": "5150", "count": 1}]
    assert transfers == {"in:988": 2, "out:ems": 1}


def test_team_breakdown_and_hour_weekday_use_local_time(unit):
    agency, team, officer = unit
    add_call(officer, utc(2026, 3, 16, 3))  # Sunday 22:00 local

    assert metrics.breakdown(filters=filters_for(agency), dimension="team") == [{"key": team.name, "count": 1}]
    assert metrics.hour_weekday(filters=filters_for(agency)) == [{"weekday": 6, "hour": 22, "count": 1}]


def test_duration_histogram_bins_minutes_and_caps_the_last_bin(unit):
    agency, _, officer = unit
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, dispatched_at=t, arrived_at=t + timedelta(minutes=7), cleared_at=t + timedelta(hours=5))

    response = metrics.duration_histogram(filters=filters_for(agency), measure="response")
    on_scene = metrics.duration_histogram(filters=filters_for(agency), measure="on_scene")

    assert response == [{"from_minutes": 5, "to_minutes": 10, "count": 1}]
    assert on_scene == [{"from_minutes": 120, "to_minutes": None, "count": 1}]


def test_disposition_series_counts_per_month_and_disposition(outcomes):
    series = metrics.disposition_series(filters=outcomes)

    assert {"period": "2026-03-01", "disposition": "arrest", "count": 1} in series
    assert sum(row["count"] for row in series) == 7


def test_outcome_flow_links_intercept_disposition_and_followup(unit):
    agency, _, officer = unit
    t = utc(2026, 3, 10, 15)
    with_followup = add_call(officer, t, followup_required=True)
    add_call(officer, t, disposition="arrest", sim_intercept=2)
    followup = care.list_call_followups(actor=officer, call=with_followup)[0]
    care.record_attempt(actor=officer, followup=followup,
                        data={"attempted_at": t + timedelta(hours=5), "method": "phone", "outcome": "reached_engaged"})

    flow = metrics.outcome_flow(filters=filters_for(agency))

    assert flow == [
        {"intercept": 1, "disposition": "resolved_on_scene", "outcome": "reached_engaged", "count": 1},
        {"intercept": 2, "disposition": "arrest", "outcome": "no_followup", "count": 1},
    ]


def test_data_quality_counts_missing_fields_and_late_notes(make, unit):
    agency, team, officer = unit
    clinician = make.user("clinician", agency, teams=[team])
    t = utc(2026, 3, 10, 15)
    add_call(officer, t, disposition=None, person_id=None)
    late = add_call(officer, t, person_id=add_person(officer).id, dispatched_at=None, arrived_at=None, cleared_at=None)
    note = care.append_note(actor=clinician, call=late, data={"body": "seen"})
    note.created_at = t + timedelta(hours=80)
    db.session.commit()

    assert metrics.data_quality(filters=filters_for(agency)) == {
        "calls": 2, "missing_disposition": 1, "missing_intercept": 0, "missing_times": 1,
        "missing_person": 1, "late_notes": 1,
    }


def test_overview_adds_up_to_the_same_numbers_as_the_single_metrics(outcomes, unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 2, 10, 15), disposition="arrest")  # previous period (February)
    add_call(officer, utc(2026, 1, 20, 15), disposition="arrest")  # before the previous period (29 Jan-28 Feb)

    result = metrics.overview(filters=outcomes)

    summary = metrics.summary(filters=outcomes)
    assert result["current"] == {key: summary[key] for key in result["current"]}
    # What the Overview page shows (dashboards/pages/overview.py), for both periods.
    shown = {"call_volume", "jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
             "emergency_detention_rate", "connection_to_services", "use_of_force_rate", "repeat_contact_rate",
             "followup_timeliness", "response_time"}
    assert shown <= set(result["current"]) and shown <= set(result["previous"])
    assert result["previous"] == {
        key: value for key, value in metrics.summary(filters=outcomes.previous_period()).items()
        if key in result["previous"]}
    assert result["previous"]["arrest_rate"] == value(1, 1)
    assert result["previous"]["call_volume"] == 1
    assert [row["period"] for row in result["series"]] == ["2026-03-01"]
    assert result["series"][0]["arrest_rate"] == metrics.arrest_rate(filters=outcomes)
    assert result["series"] == metrics.time_series(filters=outcomes, interval="month")

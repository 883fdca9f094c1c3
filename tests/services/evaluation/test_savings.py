"""Known answers for the avoided events, their costs, and the hand-off times."""

from datetime import timedelta

import pytest

from mhu.services import agency_settings, evaluation
from tests.factories import add_call, filters_for
from tests.services.evaluation.conftest import TUESDAY_10, patrol

COSTS = {"jail_booking": {"amount": 400, "source": "County jail budget 2025"},
         "jail_bed_day": {"amount": 100, "source": "County jail budget 2025"},
         "jail_days_per_booking": {"amount": 3, "source": "Jail average length of stay"},
         "ed_visit": {"amount": 2000, "source": "State hospital association"},
         "officer_hour": {"amount": 50, "source": "Payroll, salary and benefits"},
         "officer_hours_per_arrest": {"amount": 4, "source": "Time study 2024"},
         "officer_hours_per_ed_transport": {"amount": 3, "source": "Time study 2024"}}


@pytest.fixture
def savings_calls(evaluation_unit):
    agency, _, people = evaluation_unit
    officer = people["officer"]
    for _ in range(3):  # A = 3 arrestable calls ended without arrest; R = 3 resolved in the community
        add_call(officer, TUESDAY_10, arrestable_offense="misdemeanor", disposition="resolved_on_scene")
    add_call(officer, TUESDAY_10, arrestable_offense="felony", disposition="arrest")
    # Baseline: arrests 2 of 3 arrestable; ED 1 of 4 located; EMS 1 of 4 located.
    patrol(officer, TUESDAY_10, arrestable_offense="felony", disposition="arrest")
    patrol(officer, TUESDAY_10, arrestable_offense="misdemeanor", disposition="arrest")
    patrol(officer, TUESDAY_10, arrestable_offense="misdemeanor", disposition="resolved_on_scene")
    patrol(officer, TUESDAY_10, disposition="voluntary_transport_ed", transfer_out="ems")
    return filters_for(agency)


def test_avoided_events_follow_the_stated_rules(savings_calls):
    lines = {line["event"]: line for line in evaluation.avoided(filters=savings_calls)["lines"]}

    bookings, ed = lines["jail_bookings"], lines["ed_visits"]
    assert bookings["basis"] == 3 and bookings["central"] == pytest.approx(2.0)
    assert bookings["low"] == pytest.approx(3 * evaluation.wilson(2, 3)[0]) and bookings["high"] == 3
    assert ed["basis"] == 3 and ed["central"] == pytest.approx(0.75)
    assert (ed["low"], ed["high"]) == pytest.approx(tuple(3 * b for b in evaluation.wilson(1, 4)))
    assert lines["ems_transports"]["central"] == pytest.approx(0.75)


def test_costs_stay_empty_until_an_admin_enters_them(savings_calls):
    result = evaluation.avoided(filters=savings_calls)

    assert result["costed"] == [] and result["total_cost"] == {"low": None, "central": None, "high": None}


def test_cost_arithmetic_multiplies_counts_by_unit_costs(savings_calls, evaluation_unit):
    agency_settings.update_settings(actor=evaluation_unit[2]["admin"], changes={"unit_costs": COSTS})

    result = evaluation.avoided(filters=savings_calls)

    lines = {line["event"]: line for line in result["lines"]}
    assert lines["jail_bookings"]["unit_cost"] == 400 + 3 * 100 + 4 * 50
    assert lines["jail_bookings"]["cost"]["central"] == pytest.approx(2 * 900)
    assert lines["jail_bookings"]["cost"]["high"] == pytest.approx(3 * 900)
    assert lines["ed_visits"]["unit_cost"] == 2000 + 3 * 50
    assert lines["ed_visits"]["cost"]["central"] == pytest.approx(0.75 * 2150)
    assert lines["ems_transports"]["cost"] is None  # no EMS cost entered: uncosted, not zero
    assert result["total_cost"]["central"] == pytest.approx(1800 + 1612.5)


def test_a_part_without_a_cost_is_left_out_of_its_line(savings_calls, evaluation_unit):
    agency_settings.update_settings(actor=evaluation_unit[2]["admin"], changes={"unit_costs": {
        "ed_visit": COSTS["ed_visit"]}})

    lines = {line["event"]: line for line in evaluation.avoided(filters=savings_calls)["lines"]}

    assert lines["ed_visits"]["unit_cost"] == 2000 and lines["ed_visits"]["cost"]["central"] == pytest.approx(1500)
    assert lines["jail_bookings"]["cost"] is None


def test_unit_costs_need_a_number_and_a_source(evaluation_unit):
    from mhu.services import ServiceError

    with pytest.raises(ServiceError) as error:
        agency_settings.update_settings(actor=evaluation_unit[2]["admin"], changes={"unit_costs": {
            "ed_visit": {"amount": -1, "source": "x"}, "jail_booking": {"amount": 5},
            "parking": {"amount": 1, "source": "lot"}}})

    assert set(error.value.errors) == {"unit_costs.ed_visit", "unit_costs.jail_booking", "unit_costs.parking"}


def test_handoff_median_and_p90_by_facility(evaluation_unit):
    agency, _, people = evaluation_unit
    officer = people["officer"]

    def handoff(facility, minutes, **fields):
        arrived = TUESDAY_10 + timedelta(hours=1)
        return add_call(officer, TUESDAY_10, handoff_facility=facility, arrived_at_facility=arrived,
                        released_at=arrived + timedelta(minutes=minutes), disposition="voluntary_transport_ed", **fields)

    for minutes in (40, 10, 30, 20):
        handoff("Mercy ED", minutes)
    handoff("Crisis Center", 60)
    handoff("Mercy ED", 500, responder_type="patrol_only")  # not the unit's: left out
    add_call(officer, TUESDAY_10, handoff_facility="Mercy ED", arrived_at_facility=TUESDAY_10)  # not released

    result = evaluation.handoff_times(filters=filters_for(agency))

    assert result["facilities"] == [
        {"facility": "Crisis Center", "calls": 1, "median_minutes": 60.0, "p90_minutes": 60.0},
        {"facility": "Mercy ED", "calls": 4, "median_minutes": 25.0, "p90_minutes": pytest.approx(37.0)},
    ]
    assert result["overall"] == {"calls": 5, "median_minutes": 30.0, "p90_minutes": pytest.approx(52.0)}

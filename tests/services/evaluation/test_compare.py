"""Known answers for the interval arithmetic and the two comparisons."""

from datetime import date, timedelta

import pytest

from mhu.extensions import db
from mhu.services import evaluation
from tests.factories import add_call, filters_for
from tests.services.evaluation.conftest import TUESDAY_10, patrol


@pytest.mark.parametrize("counts, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:873, table II, method 10.
    ((56, 70, 48, 80), 0.0524, 0.3339),
    ((9, 10, 3, 10), 0.1705, 0.8090),
    ((5, 56, 0, 29), -0.0381, 0.1926),
])
def test_newcombe_interval_matches_the_published_examples(counts, low, high):
    result = evaluation.newcombe(*counts)

    assert result["difference"] == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert (round(result["low"], 4), round(result["high"], 4)) == (low, high)


def test_wilson_interval_matches_the_published_example():
    assert tuple(round(bound, 4) for bound in evaluation.wilson(81, 263)) == (0.2553, 0.3662)


def test_an_empty_group_has_no_interval():
    assert evaluation.newcombe(0, 0, 1, 2) is None


def test_like_with_like_compares_unit_and_patrol_only_calls_in_scope(evaluation_unit):
    agency, _, people = evaluation_unit
    officer = people["officer"]
    for disposition in ("arrest", "resolved_on_scene", "resolved_on_scene", "resolved_on_scene"):
        add_call(officer, TUESDAY_10, disposition=disposition)
    for disposition in ("arrest", "arrest", "arrest", "resolved_on_scene", "voluntary_transport_ed"):
        patrol(officer, TUESDAY_10, disposition=disposition)
    patrol(officer, TUESDAY_10, disposition="arrest", nature="criminal")  # out of scope

    result = evaluation.like_with_like(filters=filters_for(agency))

    arrest = next(row for row in result["metrics"] if row["metric"] == "arrest_rate")
    assert result["groups"] == {"unit": 4, "patrol_only": 5}
    assert arrest["unit"] == {"numerator": 1, "denominator": 4, "value": 0.25}
    assert arrest["patrol_only"] == {"numerator": 3, "denominator": 5, "value": 0.6}
    assert arrest["difference"] == evaluation.newcombe(1, 4, 3, 5)
    assert "not causal estimates" in result["caveat"]


def test_before_after_compares_equal_periods_around_the_program_start(evaluation_unit):
    agency, team, people = evaluation_unit
    officer = people["officer"]
    team.program_start_date = date(2026, 3, 10)
    db.session.commit()
    patrol(officer, TUESDAY_10 - timedelta(days=2), disposition="arrest")
    patrol(officer, TUESDAY_10 - timedelta(days=5), disposition="arrest")
    patrol(officer, TUESDAY_10 - timedelta(days=6), disposition="arrest")  # 4 March: before the 5-day window
    add_call(officer, TUESDAY_10, disposition="resolved_on_scene")
    patrol(officer, TUESDAY_10 + timedelta(days=4), disposition="arrest")

    result = evaluation.before_after(agency_id=agency.id, days=5)

    assert (result["before"]["from"], result["before"]["to"]) == ("2026-03-05", "2026-03-09")
    assert (result["after"]["from"], result["after"]["to"]) == ("2026-03-10", "2026-03-14")
    arrest = next(row for row in result["metrics"] if row["metric"] == "arrest_rate")
    assert (arrest["before"]["numerator"], arrest["before"]["denominator"]) == (2, 2)
    assert (arrest["after"]["numerator"], arrest["after"]["denominator"]) == (1, 2)
    assert arrest["difference"] == evaluation.newcombe(1, 2, 2, 2)


def test_before_after_without_a_start_date_says_so(evaluation_unit):
    assert evaluation.before_after(agency_id=evaluation_unit[0].id, days=30)["configured"] is False

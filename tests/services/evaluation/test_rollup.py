"""The Evaluation page's numbers from the day sums equal the same numbers counted from the calls,
and stay equal when a write changes a call on another day (a person's repeat flag) or the rules."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Agency, Team
from mhu.services import agency_settings, calls, evaluation
from mhu.services.demo import generate_demo
from mhu.services.evaluation import rollup
from mhu.services.metrics import MetricFilters
from tests.factories import add_call, add_person, filters_for
from tests.services.evaluation.conftest import TUESDAY_10, patrol


def everything(filters, days=90):
    """Every number the Evaluation page and API show for these filters."""
    return {
        "funnel": evaluation.funnel(filters=filters),
        "gaps": evaluation.coverage_gaps(filters=filters),
        "like_with_like": evaluation.like_with_like(filters=filters),
        "before_after": evaluation.before_after(agency_id=filters.agency_id, days=days, district=filters.district),
        "avoided": evaluation.avoided(filters=filters),
    }


def from_calls(monkeypatch, filters, days=90):
    with monkeypatch.context() as patched:
        patched.setattr(rollup, "served_by_sums", lambda _filters: False)
        return everything(filters, days)


@pytest.fixture
def demo():
    """A small demo agency with eligibility rules, patrol-only history and a program start."""
    generate_demo(calls=2000, seed=11, now=datetime(2026, 3, 1, 12, tzinfo=timezone.utc),
                  password="demo evaluation pass phrase")
    return MetricFilters(agency_id=db.session.scalar(sa.select(Agency.id)), date_from=date(2025, 3, 1),
                         date_to=date(2026, 2, 28))


def test_every_evaluation_number_from_the_day_sums_equals_the_count_from_the_calls(demo, monkeypatch):
    views = [demo, demo.with_dates(date(2025, 6, 10), date(2025, 9, 3)), demo.with_dates(date(2026, 2, 1), date(2026, 2, 1))]

    for view in views:
        assert rollup.served_by_sums(view)
        assert everything(view) == from_calls(monkeypatch, view), view
    whole_year = everything(demo)
    assert whole_year["funnel"]["calls"] > 1000 and whole_year["funnel"]["not_taken"] > 0
    assert whole_year["like_with_like"]["groups"]["patrol_only"] > 0 and whole_year["gaps"]["district"]
    assert sum(row["unit"]["numerator"] for row in whole_year["like_with_like"]["metrics"]
               if row["metric"] == "repeat_call_share") > 0


def test_a_district_view_counts_the_calls(demo):
    district = MetricFilters(agency_id=demo.agency_id, date_from=demo.date_from, date_to=demo.date_to, district="North")

    assert not rollup.served_by_sums(district)
    assert 0 < evaluation.funnel(filters=district)["calls"] < evaluation.funnel(filters=demo)["calls"]


def test_an_earlier_call_of_the_person_makes_a_later_day_a_repeat_contact(evaluation_unit, monkeypatch):
    agency, _, people = evaluation_unit
    officer = people["officer"]
    person = add_person(officer)
    patrol(officer, TUESDAY_10 + timedelta(days=7), person_id=person.id)
    filters = filters_for(agency)
    before = evaluation.like_with_like(filters=filters)["metrics"][-1]["patrol_only"]
    assert (before["numerator"], before["denominator"]) == (0, 1)

    add_call(officer, TUESDAY_10, person_id=person.id)  # a week before: the patrol call is now a repeat
    db.session.commit()

    after = evaluation.like_with_like(filters=filters)
    assert (after["metrics"][-1]["patrol_only"]["numerator"], after["metrics"][-1]["unit"]["numerator"]) == (1, 0)
    assert after == from_calls(monkeypatch, filters)["like_with_like"]


@pytest.mark.parametrize("change", ["person", "time"])
def test_moving_a_patrol_call_recounts_the_repeat_of_the_persons_later_call(evaluation_unit, monkeypatch, change):
    agency, _, people = evaluation_unit
    officer = people["officer"]
    person, other = add_person(officer), add_person(officer, "Sam Roe")
    first = patrol(officer, TUESDAY_10, person_id=person.id)
    patrol(officer, TUESDAY_10 + timedelta(days=7), person_id=person.id)
    filters = filters_for(agency)
    assert evaluation.like_with_like(filters=filters)["metrics"][-1]["patrol_only"]["numerator"] == 1

    later = {name: getattr(first, name) + timedelta(days=8)
             for name in ("received_at", "dispatched_at", "arrived_at", "cleared_at")}
    moved = {"person": {"person_id": other.id}, "time": later}[change]
    calls.update_call(actor=people["supervisor"], call=first, data=moved, expected_version=first.version)

    after = evaluation.like_with_like(filters=filters)
    # Moved to another person, neither call is a repeat; moved past the other, it is the repeat.
    assert after["metrics"][-1]["patrol_only"]["numerator"] == {"person": 0, "time": 1}[change]
    assert after == from_calls(monkeypatch, filters)["like_with_like"]


def test_changing_the_rules_recounts_the_day_sums(evaluation_unit, funnel_calls, monkeypatch):
    agency, _, people = evaluation_unit
    filters = filters_for(agency)
    assert evaluation.funnel(filters=filters)["stages"][0]["count"] == 6

    agency_settings.update_settings(actor=people["admin"], changes={"eligibility": {
        "natures": ["criminal"], "call_types": [], "exclude_risk_flags": [], "service_hours": {}}})

    funnel = evaluation.funnel(filters=filters)
    assert [(stage["stage"], stage["count"]) for stage in funnel["stages"]] == [
        ("in_scope", 1), ("in_hours", 1), ("requested", 0), ("responded", 0)]
    assert everything(filters) == from_calls(monkeypatch, filters)


def test_a_program_start_compares_the_periods_around_it_from_the_day_sums(evaluation_unit, monkeypatch):
    agency, team, people = evaluation_unit
    db.session.execute(sa.update(Team).where(Team.id == team.id).values(program_start_date=date(2026, 3, 10)))
    officer = people["officer"]
    patrol(officer, TUESDAY_10 - timedelta(days=7), disposition="arrest")
    add_call(officer, TUESDAY_10 + timedelta(days=1), disposition="resolved_on_scene")
    db.session.commit()

    result = evaluation.before_after(agency_id=agency.id, days=30)

    assert (result["before"]["calls"], result["after"]["calls"]) == (1, 1)
    assert result == from_calls(monkeypatch, filters_for(agency), days=30)["before_after"]

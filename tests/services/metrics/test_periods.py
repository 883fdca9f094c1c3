"""Presets, partial periods and the one trend rule."""

from datetime import date

import pytest

from mhu.services import metrics
from tests.factories import add_call, filters_for, utc

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("key, expected", [
    ("last_30_days", (date(2026, 11, 4), date(2026, 12, 3))),
    ("last_full_month", (date(2026, 11, 1), date(2026, 11, 30))),
    ("quarter_to_date", (date(2026, 10, 1), date(2026, 12, 3))),
    ("year_to_date", (date(2026, 1, 1), date(2026, 12, 3))),
    ("last_12_months", (date(2025, 12, 4), date(2026, 12, 3))),
])
def test_presets_are_inclusive_local_dates_relative_to_today(key, expected):
    assert metrics.preset_period(key, today=TODAY) == expected


def test_last_full_month_in_january_is_december():
    assert metrics.preset_period("last_full_month", today=date(2027, 1, 15)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_month_is_partial_when_not_over_or_cut_by_the_period(unit):
    agency, _, _ = unit
    year = filters_for(agency, date(2026, 1, 15), date(2026, 12, 3))

    assert metrics.is_partial("2026-01-01", filters=year, today=TODAY)  # cut: starts on the 15th
    assert not metrics.is_partial("2026-06-01", filters=year, today=TODAY)
    assert metrics.is_partial("2026-12-01", filters=year, today=TODAY)  # not over yet


def test_trend_compares_complete_days_with_the_stretch_before(unit):
    agency, _, _ = unit
    march = filters_for(agency)

    current, previous = metrics.trend_windows(march, today=date(2026, 3, 20))

    assert (current.date_from, current.date_to) == (date(2026, 3, 1), date(2026, 3, 19))
    assert (previous.date_from, previous.date_to) == (date(2026, 2, 10), date(2026, 2, 28))


def test_trend_of_a_period_with_no_complete_day_is_undefined(unit):
    agency, _, _ = unit

    trend = metrics.trend("arrest_rate", filters=filters_for(agency, TODAY, TODAY), today=TODAY)

    assert trend["current"] is None and trend["previous"] is None


def test_trend_leaves_today_out_of_both_sides(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 5, 15), disposition="arrest")
    add_call(officer, utc(2026, 3, 6, 15), disposition="resolved_on_scene")
    add_call(officer, utc(2026, 3, 10, 15), disposition="arrest")  # "today": left out
    add_call(officer, utc(2026, 2, 27, 15), disposition="resolved_on_scene")  # previous 9 days

    trend = metrics.trend("arrest_rate", filters=filters_for(agency, date(2026, 3, 1), date(2026, 3, 10)),
                          today=date(2026, 3, 10))
    volume = metrics.trend("call_volume", filters=filters_for(agency, date(2026, 3, 1), date(2026, 3, 10)),
                           today=date(2026, 3, 10))

    assert trend == {"current": 0.5, "previous": 0.0, "unit": "rate", "better": "down", "days": 9, "partial": True}
    assert (volume["current"], volume["previous"]) == (2, 1)


def test_trend_reuses_the_repeat_rates_a_page_already_read_for_a_complete_period(unit):
    agency, _, officer = unit
    add_call(officer, utc(2026, 3, 5, 15))
    march = filters_for(agency, date(2026, 3, 1), date(2026, 3, 31))
    keys = ("repeat_contact_rate", "repeat_call_share")
    read = metrics.repeat_metrics(filters=march)

    assert metrics.trends(keys, filters=march, today=TODAY, known=read) == metrics.trends(keys, filters=march, today=TODAY)
    marked = {key: {**read[key], "value": 0.42} for key in keys}  # what the page read, not read again
    reused = metrics.trends(keys, filters=march, today=TODAY, known=marked)
    assert [reused[key]["current"] for key in keys] == [0.42, 0.42]
    cut = filters_for(agency, date(2026, 3, 1), TODAY)  # today is left out: the window is not the period
    assert metrics.trends(keys, filters=cut, today=TODAY, known=marked)["repeat_contact_rate"]["current"] != 0.42

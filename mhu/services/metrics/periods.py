"""Named periods and the rules about incomplete ones, shared by every page, the API and reports.

- Presets: the periods a commander asks for by name (last 30 days, last full month, quarter to
  date, year to date, last 12 months), as inclusive local dates relative to the agency's today.
- Partial periods: a bucket (day, week, month) is partial when the filter cuts it or it has not
  ended yet (it contains today); charts mark those, so a half month is not read as a cliff.
- The trend rule: a card compares the complete days of its period with the equally long stretch
  just before. Today (and any later date) is not complete, so it is left out of both sides.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from mhu.services.metrics.sql import MetricFilters

PRESETS = (
    ("last_30_days", "Last 30 days"),
    ("last_full_month", "Last full month"),
    ("quarter_to_date", "Quarter to date"),
    ("year_to_date", "Year to date"),
    ("last_12_months", "Last 12 months"),
)


def preset_period(key: str, *, today: date) -> tuple[date, date]:
    """The inclusive local dates of a named preset (KeyError for an unknown name)."""
    if key == "last_30_days":
        return today - timedelta(days=29), today
    if key == "last_full_month":
        first_of_this = today.replace(day=1)
        return first_of_this - relativedelta(months=1), first_of_this - timedelta(days=1)
    if key == "quarter_to_date":
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), today
    if key == "year_to_date":
        return today.replace(month=1, day=1), today
    if key == "last_12_months":
        return today - relativedelta(years=1) + timedelta(days=1), today
    raise KeyError(key)


def bucket_end(start: date, interval: str) -> date:
    """The last date of the day, week (from Monday) or month bucket starting on `start`."""
    if interval == "day":
        return start
    if interval == "week":
        return start + timedelta(days=6)
    if interval == "month":
        return start + relativedelta(months=1) - timedelta(days=1)
    raise ValueError(f"unknown interval {interval!r}")


def is_partial(start: date | str, *, filters: MetricFilters, today: date, interval: str = "month") -> bool:
    """Whether the bucket starting on `start` is incomplete: cut by the filter, or not over yet."""
    start = date.fromisoformat(str(start)[:10])
    end = bucket_end(start, interval)
    return start < filters.date_from or end > filters.date_to or end >= today


def trend_windows(filters: MetricFilters, *, today: date) -> tuple[MetricFilters, MetricFilters] | None:
    """(complete part of the period, the equally long stretch before it), or None when no day of
    the period is complete yet."""
    last_complete = min(filters.date_to, today - timedelta(days=1))
    if last_complete < filters.date_from:
        return None
    current = filters.with_dates(filters.date_from, last_complete)
    return current, current.previous_period()

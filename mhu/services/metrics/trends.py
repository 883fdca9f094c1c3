"""One trend rule for every card on every page: the same metric shows the same trend everywhere.

A trend compares the complete days of the period with the equally long stretch just before
(periods.trend_windows); the metric is read by the same function on both sides.
"""

from __future__ import annotations

from datetime import date

from mhu.services.metrics import people, rates
from mhu.services.metrics.periods import trend_windows
from mhu.services.metrics.registry import metric
from mhu.services.metrics.sql import MetricFilters


REPEAT_KEYS = ("repeat_contact_rate", "repeat_call_share")  # people.repeat_metrics reads both at once


def _reader(key: str):
    """The function that reads one metric's number (rate value, count or median seconds)."""
    if key in rates.CALL_RATES:
        return lambda filters: rates.call_rates(filters=filters, names=(key,))[key]["value"]
    readers = {
        "call_volume": lambda filters: rates.call_volume(filters=filters),
        "repeat_contact_rate": lambda filters: people.repeat_contact_rate(filters=filters)["value"],
        "repeat_call_share": lambda filters: people.repeat_call_share(filters=filters)["value"],
        "followup_timeliness": lambda filters: people.followup_timeliness(filters=filters)["value"],
        "followup_completion": lambda filters: people.followup_completion(filters=filters)["value"],
        "recrisis_after_followup": lambda filters: people.recrisis_after_followup(filters=filters)["value"],
        "response_time": lambda filters: rates.response_time(filters=filters)["median_seconds"],
    }
    return readers[key]


def trends(keys, *, filters: MetricFilters, today: date, known: dict | None = None) -> dict[str, dict]:
    """{key: {"current", "previous", "unit", "better", "days", "partial"}} for cards' trend lines.

    `current`/`previous` are the metric over the complete days of the period and over the stretch
    before (None when undefined); `partial` says whether days at the end were left out. The
    call-based rates of one window come from one read of the day sums, and both repeat rates from
    one read of the contacts. `known`: metrics the caller already read for `filters` (its cards),
    reused when the current window is the whole period instead of being read again.
    """
    windows = trend_windows(filters, today=today)
    known = known or {}
    result = {}
    values: dict[str, tuple] = {}
    if windows is not None:
        call_keys = tuple(key for key in keys if key in rates.CALL_RATES)
        batched = [rates.call_rates(filters=window, names=call_keys) if call_keys else {} for window in windows]

        def repeat_metrics(window):
            if window == filters and all(key in known for key in REPEAT_KEYS):
                return known
            return people.repeat_metrics(filters=window)

        repeats = [repeat_metrics(window) for window in windows] if any(key in REPEAT_KEYS for key in keys) else []
        for key in keys:
            if key in rates.CALL_RATES:
                values[key] = tuple(batch[key]["value"] for batch in batched)
            elif key in REPEAT_KEYS:
                values[key] = tuple(both[key]["value"] for both in repeats)
            else:
                read = _reader(key)
                values[key] = tuple(read(window) for window in windows)
    for key in keys:
        entry = metric(key)
        current, previous = values.get(key, (None, None))
        result[key] = {
            "current": current, "previous": previous, "unit": entry.unit, "better": entry.better,
            "days": windows[0].days if windows else 0,
            "partial": windows is None or windows[0].date_to < filters.date_to,
        }
    return result


def trend(key: str, *, filters: MetricFilters, today: date) -> dict:
    """trends() of one metric."""
    return trends((key,), filters=filters, today=today)[key]

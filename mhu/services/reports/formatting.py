"""How report numbers are written: one place, so the PDF, the HTML and the tests agree.

Rates are percentages with one decimal ("61.0 %"), changes of rates in percentage points, counts
with thousands separators, durations in minutes with one decimal.
"""

from __future__ import annotations

from datetime import date

NO_VALUE = "–"


def percent(value: float | None) -> str:
    return NO_VALUE if value is None else f"{100 * value:.1f} %"


def minutes(seconds: float | None) -> str:
    return NO_VALUE if seconds is None else f"{seconds / 60:.1f} min"


def in_ten(value: float) -> str:
    """A share as "9 in 10" (rounded to the nearest tenth; "Fewer than 1 in 10" below 5 %)."""
    tenths = round(value * 10)
    return "Fewer than 1 in 10" if tenths == 0 else f"{tenths} in 10"


def _number(unit: str, value):
    """The comparable number of a metric value (rate: the share; duration: the median seconds)."""
    if value is None:
        return None
    if unit == "rate":
        return value["value"]
    if unit == "duration":
        return value["median_seconds"]
    return value


def value_text(unit: str, value) -> str:
    """The value as printed in the KPI table."""
    if unit == "rate":
        return percent(value["value"])
    if unit == "duration":
        return f"{minutes(value['median_seconds'])} (90th percentile {minutes(value['p90_seconds'])})"
    return f"{value:,}"


def counts_text(unit: str, value) -> str:
    """Numerator / denominator of a rate ("123 / 456"), blank for counts and durations."""
    if unit == "rate":
        return f"{value['numerator']:,} / {value['denominator']:,}"
    return ""


def change_text(unit: str, current, other) -> str:
    """The change from `other` to `current`: "+2.1 pp", "+12 (+3.4 %)", "−1.5 min" or "n/a"."""
    now, then = _number(unit, current), _number(unit, other)
    if now is None or then is None:
        return "n/a"
    if unit == "rate":
        return f"{_signed(100 * (now - then), 1)} pp"
    if unit == "duration":
        return f"{_signed((now - then) / 60, 1)} min"
    relative = f" ({_signed(100 * (now - then) / then, 1)} %)" if then else ""
    return f"{_signed(now - then, 0)}{relative}"


def _signed(number: float, decimals: int) -> str:
    text = f"{abs(number):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return "±" + text
    return ("+" if number > 0 else "−") + text


def month_label(iso: str) -> str:
    """2026-11-01 -> "Nov 2026"."""
    return f"{date.fromisoformat(iso):%b %Y}"

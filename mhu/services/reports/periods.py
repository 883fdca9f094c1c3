"""Report periods: a calendar month, quarter or year, named as people write them.

`2026-11` is November 2026, `2026-Q3` July to September 2026, `2026` the calendar year. Federal
fiscal quarters (grant reporting) start in October: fiscal year 2027, quarter 1 is October to
December 2026. Every period knows the one before it and the same period a year earlier, which is
what the command report compares against.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

PERIOD_HELP = "Use a month (2026-11), a quarter (2026-Q3) or a year (2026)."
MIN_YEAR, MAX_YEAR = 2000, 2100
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|[Qq](?P<quarter>[1-4])))?$")
MONTHS_BY_KIND = {"month": 1, "quarter": 3, "year": 12}


class PeriodError(ValueError):
    """The text does not name a month, quarter or year; the message says what would."""


@dataclass(frozen=True)
class Period:
    """A whole calendar month, quarter or year (inclusive local dates)."""

    kind: str  # month, quarter or year
    first: date

    @property
    def months(self) -> int:
        return MONTHS_BY_KIND[self.kind]

    @property
    def last(self) -> date:
        end = self.first + relativedelta(months=self.months - 1)
        return end.replace(day=calendar.monthrange(end.year, end.month)[1])

    @property
    def key(self) -> str:
        """The period as written in a URL: 2026-11, 2026-Q3 or 2026."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        """The period as written in a report: November 2026, Q3 2026 (Jul–Sep) or 2026."""
        if self.kind == "month":
            return f"{self.first:%B %Y}"
        if self.kind == "quarter":
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year} ({self.first:%b}–{self.last:%b})"
        return str(self.first.year)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return Period(self.kind, self.first - relativedelta(months=self.months))

    def year_before(self) -> Period:
        """The same period one year earlier."""
        return Period(self.kind, self.first - relativedelta(years=1))

    def trend_months(self, count: int = 13) -> tuple[date, date]:
        """First and last day of the `count` whole months ending with this period's last month."""
        last_month = self.last.replace(day=1)
        return last_month - relativedelta(months=count - 1), self.last


def parse_period(text: str | None) -> Period:
    """A Period from `2026-11`, `2026-Q3` or `2026`; PeriodError saying what is accepted otherwise."""
    match = _PATTERN.match((text or "").strip())
    if not match:
        raise PeriodError(f"{text!r} is not a period. {PERIOD_HELP}")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}. {PERIOD_HELP}")
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(f"Month {month:02d} does not exist. {PERIOD_HELP}")
        return Period("month", date(year, month, 1))
    if match["quarter"]:
        return Period("quarter", date(year, 3 * (int(match["quarter"]) - 1) + 1, 1))
    return Period("year", date(year, 1, 1))


def federal_quarter(fiscal_year: int, quarter: int) -> Period:
    """The calendar quarter of a U.S. federal fiscal quarter (FY2027 Q1 = October-December 2026)."""
    if not MIN_YEAR <= fiscal_year <= MAX_YEAR:
        raise PeriodError(f"The fiscal year must be between {MIN_YEAR} and {MAX_YEAR}.")
    if quarter not in (1, 2, 3, 4):
        raise PeriodError("The quarter must be 1 (Oct-Dec), 2 (Jan-Mar), 3 (Apr-Jun) or 4 (Jul-Sep).")
    return Period("quarter", date(fiscal_year - 1, 10, 1) + relativedelta(months=3 * (quarter - 1)))


def recent_periods(today) -> list[Period]:
    """The last three whole months, the last two whole quarters and the last whole year."""
    month = today.replace(day=1)
    quarter = month.replace(month=3 * ((month.month - 1) // 3) + 1)
    return [
        *(Period("month", month - relativedelta(months=n)) for n in (1, 2, 3)),
        *(Period("quarter", quarter - relativedelta(months=3 * n)) for n in (1, 2)),
        Period("year", month.replace(year=month.year - 1, month=1)),
    ]


def recent_federal_quarters(today) -> list[tuple[int, int, str]]:
    """The last two whole federal quarters as (fiscal year, quarter, label)."""
    month = today.replace(day=1)
    start = month.replace(month=3 * ((month.month - 1) // 3) + 1)
    result = []
    for n in (1, 2):
        first = start - relativedelta(months=3 * n)
        fiscal_year = first.year + 1 if first.month >= 10 else first.year
        quarter = ((first.month - 10) % 12) // 3 + 1
        result.append((fiscal_year, quarter, f"FY{fiscal_year} Q{quarter} ({first:%b %Y} to "
                                             f"{first + relativedelta(months=2):%b %Y})"))
    return result

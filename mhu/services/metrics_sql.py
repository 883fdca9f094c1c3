"""The pieces every metric query shares: filters, the base WHERE clause, portable SQL helpers.

Everything here builds SQL expressions; nothing loads calls into Python. The two dialect helpers
(durations in seconds, calendar buckets of `local_date`) are the only places that know whether
the database is SQLite or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Agency, Call, User

# A "contact" is a call that reached the person: non-voided and not unable_to_locate. C' in
# DESIGN.md section 5; the base of every call-based rate and of the person-based repeat metrics.
NOT_LOCATED = "unable_to_locate"


@dataclass(frozen=True)
class MetricFilters:
    """What a metric is computed over: inclusive local dates, agency, and optional narrowing."""

    agency_id: int
    date_from: date
    date_to: date
    team_ids: frozenset[int] | None = None  # None: every team of the agency
    district: str | None = None
    call_source: str | None = None
    sim_intercept: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous_period(self) -> MetricFilters:
        """The same filters over the equally long period just before this one."""
        return replace(self, date_from=self.date_from - timedelta(days=self.days),
                       date_to=self.date_from - timedelta(days=1))

    def with_dates(self, date_from: date, date_to: date) -> MetricFilters:
        return replace(self, date_from=date_from, date_to=date_to)


def scoped_filters(
    *, actor: User, date_from: date, date_to: date, team_id: int | None = None,
    district: str | None = None, call_source: str | None = None, sim_intercept: int | None = None,
) -> MetricFilters:
    """Filters for the actor's identified dashboards: the agency, narrowed to the actor's teams."""
    teams = {team_id} if team_id is not None else None
    scope = policy.team_scope(actor)
    if scope is not None:
        teams = set(scope) if teams is None else teams & set(scope)
    return MetricFilters(
        agency_id=actor.agency_id, date_from=date_from, date_to=date_to,
        team_ids=frozenset(teams) if teams is not None else None, district=district or None,
        call_source=call_source or None, sim_intercept=sim_intercept,
    )


def dialect() -> str:
    return db.session.get_bind().dialect.name


def seconds_between(start, end):
    """`end - start` in whole seconds, the same number on SQLite and PostgreSQL."""
    if dialect() == "postgresql":
        return sa.func.round(sa.extract("epoch", end - start))
    return sa.func.round((sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0)


def date_bucket(column, interval: str):
    """The first local date of the day/week (Monday)/month bucket a date falls in, as text."""
    if interval not in ("day", "week", "month"):
        raise ValueError(f"unknown interval {interval!r}")
    if dialect() == "postgresql":
        if interval == "day":
            return sa.func.to_char(column, "YYYY-MM-DD")
        return sa.func.to_char(sa.func.date_trunc(interval, column), "YYYY-MM-DD")
    if interval == "day":
        return sa.func.strftime("%Y-%m-%d", column)
    if interval == "week":
        return sa.func.date(column, "weekday 0", "-6 days")
    return sa.func.strftime("%Y-%m-01", column)


FILTER_COLUMNS = {"team_ids": "team_id", "district": "district", "call_source": "call_source",
                  "sim_intercept": "sim_intercept"}


def filter_columns(filters: MetricFilters) -> list:
    """The call columns the optional filters need (a subquery carries only these)."""
    return [getattr(Call, column) for name, column in FILTER_COLUMNS.items() if getattr(filters, name) is not None]


def call_conditions(filters: MetricFilters, *, dates: bool = True, call=Call, base: bool = True) -> list:
    """The base WHERE clause of every call metric: C of DESIGN.md section 5 (voided excluded).

    base=False leaves out agency and voided (for a subquery that applied them already).
    """
    conditions = [call.agency_id == filters.agency_id, call.voided_at.is_(None)] if base else []
    if dates:
        conditions += [call.local_date >= filters.date_from, call.local_date <= filters.date_to]
    if filters.team_ids is not None:
        conditions.append(call.team_id.in_(sorted(filters.team_ids) or [-1]))
    if filters.district is not None:
        conditions.append(call.district == filters.district)
    if filters.call_source is not None:
        conditions.append(call.call_source == filters.call_source)
    if filters.sim_intercept is not None:
        conditions.append(call.sim_intercept == filters.sim_intercept)
    return conditions


def located(call=Call):
    """The call reached its subject: C' = C without unable_to_locate (NULL disposition stays in)."""
    return sa.func.coalesce(call.disposition, "", type_=sa.String) != NOT_LOCATED


def count_if(condition):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable COUNT ... FILTER."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def rate(numerator: int | None, denominator: int | None) -> dict:
    """The rate object every metric returns; value is None when the denominator is 0."""
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    return {
        "numerator": numerator, "denominator": denominator,
        "value": (numerator / denominator) if denominator else None,
    }


def agency_timezone(agency_id: int) -> str:
    return db.session.scalar(sa.select(Agency.timezone).where(Agency.id == agency_id)) or "UTC"


def utc_bounds(filters: MetricFilters):
    """The UTC instants [start, end) of the filter's local dates, for columns without local_date."""
    from mhu.services.calls import local_day_bounds

    return local_day_bounds(filters.date_from, filters.date_to, agency_timezone(filters.agency_id))


def config(name: str):
    return current_app.config[name]


def percentiles(durations_select: sa.Select, *, fractions=(0.5, 0.9)) -> list[float | None]:
    """Linearly interpolated percentiles (PERCENTILE_CONT) of a one-column select, ranked in SQL.

    Only the two neighbouring ranks of each percentile leave the database.
    """
    inner = durations_select.subquery("durations")
    value = inner.c[0]
    ranked = sa.select(
        value.label("v"),
        sa.func.row_number().over(order_by=value).label("rn"),
        sa.func.count().over().label("n"),
    ).where(value.is_not(None)).subquery("ranked")
    wanted = []
    for fraction in fractions:
        tenths = round(fraction * 100)
        low = (ranked.c.n - 1) * tenths // 100 + 1  # integer division on both databases
        wanted += [low, low + 1]
    rows = db.session.execute(
        sa.select(ranked.c.rn, ranked.c.n, ranked.c.v).where(ranked.c.rn.in_(wanted))
    ).all()
    if not rows:
        return [None for _ in fractions]
    n = rows[0].n
    by_rank = {row.rn: float(row.v) for row in rows}
    results = []
    for fraction in fractions:
        position = (n - 1) * fraction
        low = int((n - 1) * round(fraction * 100) // 100)
        below = by_rank[low + 1]
        above = by_rank.get(low + 2, below)
        results.append(below + (above - below) * (position - low))
    return results


def default_period(*, agency_id: int, date_from: date | None = None, date_to: date | None = None) -> tuple[date, date]:
    """Missing ends of a period: `to` defaults to today in the agency's zone, `from` to 12 months before."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dateutil.relativedelta import relativedelta

    if date_to is None:
        date_to = datetime.now(ZoneInfo(agency_timezone(agency_id))).date()
        if date_from is not None and date_from > date_to:
            date_to = date_from
    if date_from is None:
        date_from = date_to - relativedelta(years=1) + timedelta(days=1)
    return date_from, date_to

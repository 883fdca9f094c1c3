"""The pieces every metric query shares: filters, the base WHERE clause, portable SQL helpers.

Everything here builds SQL expressions; nothing loads calls into Python. The two dialect helpers
(durations in seconds, calendar buckets of `local_date`) are the only places that know whether
the database is SQLite or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from mhu.auth import policy
from mhu.enums import NOT_REACHED_DISPOSITIONS
from mhu.extensions import db
from mhu.models import Call, MetricDay, MetricTeamDay, MetricTotalDay, User
from mhu.services.localtime import agency_timezone, agency_today, local_day_bounds

# A "contact" is a call that reached the person: non-voided and not unable_to_locate or
# cancelled_before_arrival. C' in DESIGN.md section 5; the base of every call-based rate and of
# the person-based repeat metrics.
NOT_LOCATED = NOT_REACHED_DISPOSITIONS


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


# The optional filters (MetricFilters fields) and the column each one narrows.
FILTER_COLUMNS = {"team_ids": "team_id", "district": "district", "call_source": "call_source",
                  "sim_intercept": "sim_intercept"}


def call_conditions(filters: MetricFilters, *, dates: bool = True, call=Call, base: bool = True) -> list:
    """The base WHERE clause of every call metric: C of DESIGN.md section 5 (voided and patrol-only excluded).

    base=False leaves out agency and voided (for a subquery that applied them already).
    """
    conditions = [call.voided_at.is_(None), unit_call(call)] if base else []
    return conditions + slice_conditions(filters, call, dates=dates, agency=base)


def unit_call(call=Call):
    """The unit attended the call: patrol-only calls (imported CAD history kept for the evaluation
    pages) never enter the unit's own metrics."""
    return call.responder_type != "patrol_only"


def slice_conditions(filters: MetricFilters, table, *, dates: bool = True, agency: bool = True,
                     date_column=None) -> list:
    """The filters as a WHERE clause on any table with the call's filter columns (calls, facts, day sums).

    date_column: an expression to compare the dates on instead of table.local_date.
    """
    conditions = [table.agency_id == filters.agency_id] if agency else []
    if dates:
        local_date = table.local_date if date_column is None else date_column
        conditions += [local_date >= filters.date_from, local_date <= filters.date_to]
    if filters.team_ids is not None:
        conditions.append(table.team_id.in_(sorted(filters.team_ids) or [-1]))
    if filters.district is not None:
        conditions.append(table.district == filters.district)
    if filters.call_source is not None:
        conditions.append(table.call_source == filters.call_source)
    if filters.sim_intercept is not None:
        conditions.append(table.sim_intercept == filters.sim_intercept)
    return conditions


def narrowed(filters: MetricFilters) -> bool:
    """Whether the filters pick part of the agency (a team, district, source or intercept)."""
    return any(getattr(filters, name) is not None for name in FILTER_COLUMNS)


def teams_only(filters: MetricFilters) -> bool:
    """Whether the filters narrow by team at most (not by district, source or intercept): the
    views the per-team rollups (metric_team_day, metric_dim_day) hold."""
    return filters.district is None and filters.call_source is None and filters.sim_intercept is None


def current_day_sums(agency_id: int) -> None:
    """Before reading the day sums: sum again the agency's days that writes marked (facts.bring_days_up_to_date)."""
    from mhu.services.metrics import facts  # facts builds its statements from this module

    facts.bring_days_up_to_date(agency_id)


def day_sums(filters: MetricFilters, columns, *, interval: str | None = None) -> list:
    """The precomputed day counts (models/metric.py) added up over the filtered period.

    Without narrowing filters this reads one row per day (metric_total_day), narrowed to teams
    one row per team and day (metric_team_day), otherwise the per-slice rows (metric_day). With
    an interval, one row per bucket, labelled `period`.
    """
    current_day_sums(filters.agency_id)
    table = MetricTotalDay if not narrowed(filters) else MetricTeamDay if teams_only(filters) else MetricDay
    sums = [sa.func.coalesce(sa.func.sum(getattr(table, name)), 0).label(name) for name in columns]
    query = sa.select(*sums).where(*slice_conditions(filters, table))
    if interval is None:
        return [db.session.execute(query).one()]
    bucket = date_bucket(table.local_date, interval).label("period")
    return db.session.execute(query.add_columns(bucket).group_by(bucket).order_by(bucket)).all()


def located(call=Call):
    """The call reached its subject: C' = C without unable_to_locate and cancelled_before_arrival
    (a NULL disposition stays in)."""
    return located_disposition(call.disposition)


def located_disposition(disposition):
    """located() on any column holding a call's disposition (a day rollup's key, say)."""
    return sa.func.coalesce(disposition, "", type_=sa.String).not_in(NOT_LOCATED)


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


def utc_bounds(filters: MetricFilters):
    """The UTC instants [start, end) of the filter's local dates, for columns without local_date."""
    return local_day_bounds(filters.date_from, filters.date_to, agency_timezone(filters.agency_id))


def config(name: str):
    return current_app.config[name]


def unindexed(column):
    """`column` in a form SQLite's planner uses no index for (unary plus), so that it walks an
    index in ORDER BY order rather than range-scanning another index and sorting. PostgreSQL
    costs the walk itself (and has no unary plus for dates)."""
    if dialect() != "sqlite":
        return column
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def ranked_percentiles(column, conditions: list, count: int, *, fractions=(0.5, 0.9)) -> list[float | None]:
    """Linearly interpolated percentiles (PERCENTILE_CONT) of `column` over `count` rows.

    `count` is how many rows match (from the day sums), so each percentile is the one or two
    values at its rank, read by walking an index on the column (ORDER BY ... LIMIT/OFFSET) from
    the nearer end instead of ranking every row.
    """
    if not count:
        return [None for _ in fractions]
    results = []
    for fraction in fractions:
        position = (count - 1) * fraction
        low = (count - 1) * round(fraction * 100) // 100  # 0-based rank of the value at or below
        high = min(low + 1, count - 1)
        query = sa.select(column).where(*conditions, column.is_not(None)).limit(high - low + 1)
        if low < count / 2:
            values = db.session.scalars(query.order_by(column).offset(low)).all()
        else:
            values = db.session.scalars(query.order_by(column.desc()).offset(count - 1 - high)).all()[::-1]
        if not values:  # the day sums and the rows disagree: the facts are being refreshed
            results.append(None)
            continue
        below, above = float(values[0]), float(values[-1])
        results.append(below + (above - below) * (position - low))
    return results


def default_period(*, agency_id: int, date_from: date | None = None, date_to: date | None = None) -> tuple[date, date]:
    """Missing ends of a period: `to` defaults to today in the agency's zone, `from` to 12 months before."""
    if date_to is None:
        date_to = agency_today(agency_id)
        if date_from is not None and date_from > date_to:
            date_to = date_from
    if date_from is None:
        date_from = date_to - relativedelta(years=1) + timedelta(days=1)
    return date_from, date_to

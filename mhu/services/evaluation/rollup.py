"""The evaluation counts, from the day sums (models/metric.EvaluationDay, EvaluationGapDay) or from
the calls themselves.

A year of calls at a million calls is about 830,000 rows, and the Evaluation page used to scan
them 29 times (37-45 s, bench/README.md "Pages"). The day sums hold the same counts per day and
per group of funnel keys (a few dozen rows a day), summed by the same refresh as the other day
sums (metrics/facts.py: a write marks its days, the next read sums them). Views narrowed by
district read the calls: per-district groups would be four times the rows for a view few open.

One definition serves both: MEASURES are conditions on a call, the funnel stages are conditions on
the keys (`stages`), and `Counts` counts either the calls meeting a condition or the day sums'
rows meeting it.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from mhu.models import Agency, Call
from mhu.models.metric import EVALUATION_MEASURES, EvaluationDay, EvaluationGapDay
from mhu.services.metrics.rates import CALL_RATES, DENOMINATORS
from mhu.services.metrics.sql import MetricFilters, count_if, current_day_sums, located, seconds_between, unit_call


class Keys(NamedTuple):
    """What places a call in the funnel: each a condition (or, for `reason`, a value)."""

    unit: object          # the unit responded (not patrol-only)
    listed: object        # its nature or CAD call type is listed by the rules
    excluded: object      # it carries a risk flag the rules exclude
    within_hours: object  # it came in a service-hour window (always, when no windows are set)
    requested: object     # the unit responded, or the recorded reason says it was asked and could not come
    reason: object        # why an in-scope call was not taken (NULL for the others)


def stages(keys: Keys) -> dict:
    """The funnel's stages (and the not-taken calls) as conditions on the keys."""
    in_scope = sa.and_(keys.listed, sa.not_(keys.excluded))
    in_hours = sa.and_(in_scope, keys.within_hours)
    return {"in_scope": in_scope, "in_hours": in_hours, "requested": sa.and_(in_hours, keys.requested),
            "responded": sa.and_(in_hours, keys.unit), "not_taken": sa.and_(in_scope, sa.not_(keys.unit))}


def earlier_contact(repeat_window_days: int):
    """The call's person had another non-voided call (any responder) in the repeat window before it."""
    earlier = aliased(Call)
    gap = seconds_between(earlier.received_at, Call.received_at)
    return sa.exists(sa.select(1).where(
        earlier.person_id == Call.person_id, earlier.id != Call.id, earlier.voided_at.is_(None),
        earlier.received_at < Call.received_at, gap <= repeat_window_days * 86400))


def measures(repeat_window_days: int) -> dict:
    """What the day sums count, each a condition on one call (EVALUATION_MEASURES, `calls` aside).

    The four compared rates are the unit's own definitions (metrics.CALL_RATES), numerator and
    denominator together, so the unit/patrol comparison counts what the unit's cards count."""
    arrestable = DENOMINATORS["arrestable"]()
    with_person = sa.and_(located(), Call.person_id.is_not(None))
    rates = {name: sa.and_(CALL_RATES[name][0](), DENOMINATORS[CALL_RATES[name][1]]())
             for name in ("arrest_rate", "use_of_force_rate", "injury_rate", "ed_use", "diversion_from_arrest",
                          "resolved_in_community")}
    return {
        "located": located(), "arrestable": arrestable, "with_person": with_person, **rates,
        "repeat_call_share": sa.and_(with_person, earlier_contact(repeat_window_days)),
        "arrestable_arrests": sa.and_(arrestable, Call.disposition == "arrest"),
        "ems_transport": sa.and_(located(), sa.or_(Call.disposition == "ems_medical_transport",
                                                    Call.transfer_out == "ems")),
    }


# What each compared rate counts: metric -> (numerator measure, denominator measure).
COMPARED_MEASURES = {
    **{name: (name, CALL_RATES[name][1]) for name in ("arrest_rate", "use_of_force_rate", "injury_rate", "ed_use")},
    "repeat_call_share": ("repeat_call_share", "with_person"),
}


def served_by_sums(filters: MetricFilters) -> bool:
    """Whether the day sums can answer for these filters: the whole agency. (Evaluation views
    narrow by district at most: they compare across teams and patrol, period_conditions.)"""
    return filters.district is None


class Counts:
    """Counts of the filters' calls meeting a condition on the keys: from the day sums when they
    can answer (served_by_sums), otherwise from the calls (`rules`: the agency's Rules or None)."""

    def __init__(self, filters: MetricFilters, rules, repeat_window_days: int):
        self.filters = filters
        self.rules_set = rules is not None
        self.from_sums = served_by_sums(filters)
        if self.from_sums:
            current_day_sums(filters.agency_id)
            day = EvaluationDay.__table__.c
            self.keys = Keys(day.unit, day.listed, day.excluded, day.within_hours, day.requested, day.reason)
            self.where = [day.agency_id == filters.agency_id, day.local_date >= filters.date_from,
                          day.local_date <= filters.date_to]
            self._columns = day
        else:
            self.keys = call_keys(rules)
            self.where = period_conditions(filters)
            self._measures = measures(repeat_window_days)

    @property
    def scope(self):
        """The calls the comparisons take: those in scope, or every call when no rules are set."""
        return stages(self.keys)["in_scope"] if self.rules_set else sa.true()

    def count(self, condition=None, measure: str = "calls"):
        """How many of the calls meeting `condition` (all: None) count in `measure`."""
        if self.from_sums:
            column = self._columns[measure]
            return sa.func.coalesce(sa.func.sum(column if condition is None else sa.case((condition, column), else_=0)), 0)
        counted = [c for c in (condition, None if measure == "calls" else self._measures[measure]) if c is not None]
        return count_if(sa.and_(*counted)) if counted else sa.func.count()

    def gap_cells(self):
        """(weekday, hour, district, count, where) of the in-scope calls the unit did not take."""
        if self.from_sums:
            gap = EvaluationGapDay.__table__.c
            return (gap.local_weekday, gap.local_hour, gap.district, sa.func.sum(gap.calls),
                    [gap.agency_id == self.filters.agency_id, gap.local_date >= self.filters.date_from,
                     gap.local_date <= self.filters.date_to])
        return (Call.local_weekday, Call.local_hour, Call.district, sa.func.count(),
                [*self.where, stages(self.keys)["not_taken"]])


def period_conditions(filters: MetricFilters) -> list:
    """Every non-voided call of the agency in the period (patrol-only included), narrowed by district."""
    conditions = [Call.agency_id == filters.agency_id, Call.voided_at.is_(None),
                  Call.local_date >= filters.date_from, Call.local_date <= filters.date_to]
    if filters.district is not None:
        conditions.append(Call.district == filters.district)
    return conditions


def call_keys(rules) -> Keys:
    """The keys as conditions on a call (`rules`: the agency's eligibility.Rules, or None)."""
    unit = unit_call()
    if rules is None:
        # Without rules nothing is in scope: the comparisons take every call (their _population).
        return Keys(unit, sa.false(), sa.false(), sa.true(), unit, sa.null())
    return Keys(unit, rules.listed, rules.excluded, rules.within_hours, rules.requested, rules.reason)


def refresh_days(connection, agency_id: int, days, *, rules, repeat_window_days: int) -> None:
    """Replace the agency's evaluation day sums of these local days (None: every day)."""
    for table in (EvaluationDay.__table__, EvaluationGapDay.__table__):
        where = [table.c.agency_id == agency_id]
        if days is not None:
            where.append(table.c.local_date.in_(sorted(days)))
        connection.execute(sa.delete(table).where(*where))
    if days is not None and not days:
        return
    calls = [Call.agency_id == agency_id, Call.voided_at.is_(None)]
    if days is not None:
        calls.append(Call.local_date.in_(sorted(days)))
    keys = call_keys(rules)
    # Each call's keys and measures first, then the groups: PostgreSQL cannot group by an
    # expression whose subquery reads the ungrouped call row.
    flags = {name: sa.case((condition, 1), else_=0) for name, condition in measures(repeat_window_days).items()}
    per_call = sa.select(
        Call.local_date, *(sa.cast(getattr(keys, name), sa.Boolean).label(name) for name in Keys._fields[:-1]),
        keys.reason.label("reason"), *(flag.label(name) for name, flag in flags.items()),
    ).where(*calls).subquery("per_call")
    grouped = [per_call.c.local_date, *(per_call.c[name] for name in Keys._fields)]
    counted = [name for name in EVALUATION_MEASURES if name != "calls"]
    connection.execute(sa.insert(EvaluationDay.__table__).from_select(
        ["agency_id", "local_date", *Keys._fields, *EVALUATION_MEASURES],
        sa.select(sa.literal(agency_id), *grouped, sa.func.count(), *(sa.func.sum(per_call.c[name]) for name in counted))
        .group_by(*grouped)))
    if rules is None:
        return
    cells = [Call.local_date, Call.local_weekday, Call.local_hour, Call.district]
    connection.execute(sa.insert(EvaluationGapDay.__table__).from_select(
        ["agency_id", "local_date", "local_weekday", "local_hour", "district", "calls"],
        sa.select(sa.literal(agency_id), *cells, sa.func.count())
        .where(*calls, stages(keys)["not_taken"]).group_by(*cells)))


def agency_rules(connection, agency_id: int):
    """The agency's eligibility Rules read on this connection (None: no rules)."""
    from mhu.services.evaluation.eligibility import Rules  # eligibility reads through this module
    from mhu.services.evaluation.settings import normalised_eligibility

    stored = connection.scalar(sa.select(Agency.eligibility).where(Agency.id == agency_id))
    return Rules(normalised_eligibility(stored)) if stored else None

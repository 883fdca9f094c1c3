"""Drill-down: the calls behind a count on the dashboard, with the same filters.

A subset names the count: a call-based rate's numerator ("arrest_rate") or its base
("arrest_rate:base"), a person-based count (PERSON_SUBSETS), a data-quality check
("missing_person"), an outcome class ("class:ed_or_detention"), or "calls" (all of C). The list is identified data: the caller's
filters are already scoped to what the actor may see (metrics.scoped_filters), and listing is
audited like any call list.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from mhu.enums import DISPOSITIONS
from mhu.extensions import db
from mhu.models import Call, CallFact, Team, User
from mhu.services import audit
from mhu.services.metrics.people import utilizer_counts
from mhu.services.metrics.quality import QUALITY_CHECKS
from mhu.services.metrics.rates import CALL_RATES, DENOMINATORS
from mhu.services.metrics.sql import (
    MetricFilters, call_conditions, day_sums, located, slice_conditions, unindexed, unit_call, utc_bounds,
)
from mhu.services.outcomes import BY_KEY as OUTCOME_CLASSES

LIMIT = 500


# Person-based counts list the contacts behind them (CallFact: located calls with a person).
PERSON_SUBSETS = ("repeat_contact_rate", "repeat_call_share", "high_utilizers")


def lists(subset: str) -> bool:
    """Whether a count of this name has a drill-down list."""
    name, _, part = subset.partition(":")
    return subset == "calls" or subset in QUALITY_CHECKS or (name in CALL_RATES and part in ("", "base")) \
        or (name in PERSON_SUBSETS and part in ("", "base")) or (name == "class" and part in OUTCOME_CLASSES)


def _contacts(filters: MetricFilters, *conditions):
    return Call.id.in_(sa.select(CallFact.call_id).where(*slice_conditions(filters, CallFact),
                                                          CallFact.contact_person_id.is_not(None), *conditions))


def subset_condition(subset: str, filters: MetricFilters):
    """The SQL condition of a subset name, or None when the name is unknown.

    repeat_contact_rate and repeat_call_share list the period's repeat contacts (":base": every
    contact); high_utilizers lists the period's contacts of the persons counted.
    """
    if not lists(subset):
        return None
    if subset == "calls":
        return sa.true()
    if subset in QUALITY_CHECKS:
        return QUALITY_CHECKS[subset]()
    name, _, part = subset.partition(":")
    if name in CALL_RATES and part in ("", "base"):
        numerator, base = CALL_RATES[name]
        return DENOMINATORS[base]() if part == "base" else sa.and_(located(), numerator())
    if name in PERSON_SUBSETS:
        if name == "high_utilizers":
            return _contacts(filters, CallFact.contact_person_id.in_(
                sa.select(utilizer_counts(filters).subquery().c.person_id)))
        if part == "base":
            return _contacts(filters)
        return _contacts(filters, CallFact.gap_seconds <= current_app.config["REPEAT_WINDOW_DAYS"] * 86400)
    if name == "class" and part in OUTCOME_CLASSES:
        dispositions = [d for d in OUTCOME_CLASSES[part].dispositions if d in DISPOSITIONS]
        condition = Call.disposition.in_(dispositions) if dispositions else sa.false()
        return sa.or_(condition, Call.disposition.is_(None)) if part == "other" else condition
    return None


def _summed_total(subset: str, filters: MetricFilters) -> int | None:
    """The size of the call volume or of a call-based rate's base, from the day sums the dashboard
    showed it from (the same condition, counted at write time: no scan of the period's calls);
    None for other subsets. (A numerator's list adds located() to its condition, so its count is
    taken from the calls.)"""
    if subset == "calls":
        return int(day_sums(filters, ["calls"])[0][0])
    name, _, part = subset.partition(":")
    if name in CALL_RATES and part == "base":
        return int(day_sums(filters, [CALL_RATES[name][1]])[0][0])
    return None


def calls(*, actor: User, filters: MetricFilters, subset: str, limit: int = LIMIT) -> dict | None:
    """{"total", "rows"} of the calls in `subset` under `filters`, newest first (at most `limit`
    rows); None for an unknown subset."""
    condition = subset_condition(subset, filters)
    if condition is None:
        return None
    total = _summed_total(subset, filters)
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Call)
                                  .where(*call_conditions(filters), condition))
    # The newest rows first: walk (agency, received_at) backwards from the period's end and stop at
    # `limit`, instead of collecting the period's calls by local date and sorting them all.
    start, end = utc_bounds(filters)
    newest_first = [Call.voided_at.is_(None), unit_call(), Call.received_at >= start, Call.received_at < end, condition,
                    *slice_conditions(filters, Call, date_column=unindexed(Call.local_date))]
    rows = db.session.execute(
        sa.select(Call.id, Call.incident_number, Call.local_date, Call.district, Team.name.label("team"),
                  Call.disposition, Call.sim_intercept)
        .select_from(Call).outerjoin(Team, Team.id == Call.team_id).where(*newest_first)
        .order_by(Call.received_at.desc(), Call.id).limit(limit)
    ).all()
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return {"total": int(total), "rows": [dict(row._mapping) for row in rows]}

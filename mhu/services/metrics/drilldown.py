"""Drill-down: the calls behind a count on the dashboard, with the same filters.

A subset names the count: a call-based rate's numerator ("arrest_rate") or its base
("arrest_rate:base"), a data-quality check ("missing_person"), an outcome class
("class:ed_or_detention"), or "calls" (all of C). The list is identified data: the caller's
filters are already scoped to what the actor may see (metrics.scoped_filters), and listing is
audited like any call list.
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.enums import DISPOSITIONS
from mhu.extensions import db
from mhu.models import Call, Team, User
from mhu.services import audit
from mhu.services.metrics.quality import QUALITY_CHECKS
from mhu.services.metrics.rates import CALL_RATES, DENOMINATORS
from mhu.services.metrics.sql import MetricFilters, call_conditions, located
from mhu.services.outcomes import BY_KEY as OUTCOME_CLASSES

LIMIT = 500


def subset_condition(subset: str):
    """The SQL condition of a subset name, or None when the name is unknown."""
    if subset == "calls":
        return sa.true()
    if subset in QUALITY_CHECKS:
        return QUALITY_CHECKS[subset]()
    name, _, part = subset.partition(":")
    if name in CALL_RATES and part in ("", "base"):
        numerator, base = CALL_RATES[name]
        return DENOMINATORS[base]() if part == "base" else sa.and_(located(), numerator())
    if name == "class" and part in OUTCOME_CLASSES:
        dispositions = [d for d in OUTCOME_CLASSES[part].dispositions if d in DISPOSITIONS]
        condition = Call.disposition.in_(dispositions) if dispositions else sa.false()
        return sa.or_(condition, Call.disposition.is_(None)) if part == "other" else condition
    return None


def calls(*, actor: User, filters: MetricFilters, subset: str, limit: int = LIMIT) -> dict | None:
    """{"total", "rows"} of the calls in `subset` under `filters`, newest first (at most `limit`
    rows); None for an unknown subset."""
    condition = subset_condition(subset)
    if condition is None:
        return None
    conditions = [*call_conditions(filters), condition]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Call).where(*conditions))
    rows = db.session.execute(
        sa.select(Call.id, Call.incident_number, Call.local_date, Call.district, Team.name.label("team"),
                  Call.disposition, Call.sim_intercept)
        .select_from(Call).outerjoin(Team, Team.id == Call.team_id).where(*conditions)
        .order_by(Call.received_at.desc(), Call.id).limit(limit)
    ).all()
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return {"total": int(total), "rows": [dict(row._mapping) for row in rows]}

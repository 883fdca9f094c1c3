"""Program measures funders ask for: persons served (unduplicated) and referrals by type.

Both are counted over C' (located calls) of the filters, in SQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, Referral
from mhu.services.metrics.sql import MetricFilters, call_conditions, count_if, located


def persons_served(*, filters: MetricFilters) -> int:
    """Distinct persons with at least one located call in the period (calls without a person left out)."""
    return int(db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Call.person_id)))
        .where(*call_conditions(filters), located(), Call.person_id.is_not(None))
    ))


def referrals_by_type(*, filters: MetricFilters) -> list[dict]:
    """Per referral type: referrals made on located calls of the period, and how many were linked."""
    rows = db.session.execute(
        sa.select(Referral.referral_type, sa.func.count(Referral.id), count_if(Referral.status == "linked"))
        .join(Call, Call.id == Referral.call_id).where(*call_conditions(filters), located())
        .group_by(Referral.referral_type).order_by(Referral.referral_type)
    ).all()
    return [{"referral_type": kind, "made": int(made), "linked": int(linked)} for kind, made, linked in rows]

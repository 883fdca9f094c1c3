"""Partner output: monthly and district aggregates, small-cell suppressed, nothing finer.

No free text, no person rows, no team or beat; dates by month only. Every table passes through
services/suppression.py before it leaves this module.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Call, User
from mhu.services import agency_settings, audit
from mhu.services.metrics import suppression
from mhu.services.metrics.rates import ARREST_OR_CITATION, RESOLVED_IN_COMMUNITY
from mhu.services.metrics.sql import MetricFilters, call_conditions, date_bucket, located

# Outcome groups partition C' (every located call falls in exactly one), so the table adds up.
OUTCOME_GROUPS = {
    "resolved_in_community": RESOLVED_IN_COMMUNITY,
    "hospital": ("voluntary_transport_ed", "ems_medical_transport"),
    "emergency_detention": ("emergency_detention",),
    "arrest_or_citation": ARREST_OR_CITATION,
}
OTHER_GROUP = "other"
PARTNER_TABLES = ("calls_by_district", "outcomes")


def partner_filters(*, actor: User, date_from: date, date_to: date, district: str | None = None) -> MetricFilters:
    """Whole months covering the requested dates, the actor's own agency, no team narrowing."""
    first = date_from.replace(day=1)
    after_last = (date_to.replace(day=1) + timedelta(days=32)).replace(day=1)
    return MetricFilters(agency_id=actor.agency_id, date_from=first, date_to=after_last - timedelta(days=1),
                         district=district or None)


def _months(filters: MetricFilters) -> list[str]:
    months, current = [], filters.date_from
    while current <= filters.date_to:
        months.append(current.strftime("%Y-%m"))
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _month_key():
    return date_bucket(Call.local_date, "month").label("month")


def _grouped(filters: MetricFilters, column, *conditions) -> dict:
    month = _month_key()
    rows = db.session.execute(
        sa.select(month, column.label("key"), sa.func.count())
        .where(*call_conditions(filters), *conditions).group_by(month, column)
    ).all()
    return {(str(m)[:7], str(k)): int(n) for m, k, n in rows}


def _check(actor: User) -> None:
    if not policy.can_view_partner_dashboard(actor):
        raise PermissionError("partner dashboards are not open to this role")


def calls_by_district(*, actor: User, filters: MetricFilters) -> dict:
    """Calls (C) per month and district, suppressed."""
    _check(actor)
    counts = _grouped(filters, sa.func.coalesce(Call.district, "unknown", type_=sa.String))
    districts = sorted({key for _, key in counts})
    table = suppression.suppressed_table(
        row_keys=_months(filters), column_keys=districts, counts=counts, threshold=agency_settings.suppression_threshold(filters.agency_id),
    )
    audit.record(action="partner.calls_by_district", actor=actor, object_type="metrics", commit=True)
    return {"title": "Calls per month and district", **table}


def outcomes(*, actor: User, filters: MetricFilters) -> dict:
    """Located calls (C') per month by outcome group, with rates hidden when a part is hidden."""
    _check(actor)
    group = sa.case(
        *[(Call.disposition.in_(values), name) for name, values in OUTCOME_GROUPS.items()], else_=OTHER_GROUP
    )
    counts = _grouped(filters, group, located())
    groups = [*OUTCOME_GROUPS, OTHER_GROUP]
    table = suppression.suppressed_table(
        row_keys=_months(filters), column_keys=groups, counts=counts, threshold=agency_settings.suppression_threshold(filters.agency_id),
    )
    rate_columns = ["jail_diversion_rate", "resolved_in_community_rate", "ed_use_rate"]
    for row in table["rows"]:
        total, arrests = row["total"], row["arrest_or_citation"]
        row["jail_diversion_rate"] = suppression.suppressed_rate(
            None if arrests is None or total is None else total - arrests, total)
        row["resolved_in_community_rate"] = suppression.suppressed_rate(row["resolved_in_community"], total)
        hospital, detention = row["hospital"], row["emergency_detention"]
        row["ed_use_rate"] = suppression.suppressed_rate(
            None if hospital is None or detention is None else hospital + detention, total)
    table["columns"] = [*table["columns"], *rate_columns]
    audit.record(action="partner.outcomes", actor=actor, object_type="metrics", commit=True)
    return {"title": "Located calls per month by outcome", **table}


def partner_table(*, actor: User, filters: MetricFilters, name: str) -> dict:
    """One of PARTNER_TABLES by name."""
    return {"calls_by_district": calls_by_district, "outcomes": outcomes}[name](actor=actor, filters=filters)

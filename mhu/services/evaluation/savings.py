"""What the unit avoided, priced with the agency's unit costs, and the officer time spent at
emergency-department and crisis-facility hand-offs.

Avoided events follow stated rules over the period's calls (the unit's located calls against the
patrol-only calls in scope over the same period, the baseline):
  bookings  = unit arrestable calls ended without arrest or citation (A) x the baseline's arrest
              share of arrestable calls; low uses the baseline's Wilson 95% lower bound, high
              counts every A as an avoided booking (the rule "arrestable calls ended without arrest");
  ED visits = unit calls resolved in the community (R) x the baseline's ED-use rate; low and high
              use the rate's Wilson 95% bounds;
  EMS transports = R x the baseline's EMS-transport rate (EMS medical transport or hand-off to EMS),
              bounds as for ED visits.
Costs multiply the counts by the unit costs an administrator entered; a part whose cost is not set
is left out of its line (and named as left out), a line with no cost set stays uncosted rather than
zero. The page prints every multiplication.
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import CallFact
from mhu.services.evaluation.compare import wilson
from mhu.services.evaluation.eligibility import counts_for, rules_for
from mhu.services.evaluation.settings import UNIT_COSTS, unit_costs
from mhu.services.metrics.sql import MetricFilters, ranked_percentiles, slice_conditions, unindexed

RULES = {
    "jail_bookings": "Unit arrestable calls ended without arrest or citation × the patrol-only arrest share of "
                     "arrestable in-scope calls (high: every such call).",
    "ed_visits": "Unit calls resolved in the community × the patrol-only ED-use rate of in-scope calls.",
    "ems_transports": "Unit calls resolved in the community × the patrol-only EMS-transport rate of in-scope calls.",
}


def _counts(filters: MetricFilters) -> dict:
    """The unit's counts and the patrol-only baseline's, in two reads."""
    counts = counts_for(filters, rules_for(filters.agency_id))
    unit = counts.keys.unit
    diverted, resolved = (int(v or 0) for v in db.session.execute(sa.select(
        counts.count(unit, "diversion_from_arrest"), counts.count(unit, "resolved_in_community"),
    ).where(*counts.where)).one())
    baseline = sa.and_(counts.scope, sa.not_(unit))
    arrests, arrestable_n, ed, ems_n, located_n = (int(v or 0) for v in db.session.execute(sa.select(
        *(counts.count(baseline, name)
          for name in ("arrestable_arrests", "arrestable", "ed_use", "ems_transport", "located")),
    ).where(*counts.where)).one())
    return {"diverted": diverted, "resolved": resolved, "arrests": (arrests, arrestable_n),
            "ed": (ed, located_n), "ems": (ems_n, located_n)}


def _range(count: int, successes: int, total: int, *, high_all: bool = False) -> dict:
    if total == 0:
        return {"low": 0.0 if high_all else None, "central": None, "high": float(count) if high_all else None,
                "baseline": None}
    low, high = wilson(successes, total)
    rate = successes / total
    return {"low": count * low, "central": count * rate, "high": float(count) if high_all else count * high,
            "baseline": {"numerator": successes, "denominator": total, "value": rate, "low": low, "high": high}}


def _price(events: dict, per_event: list[tuple[str, float | None, str]]) -> dict:
    """events x the sum of the per-event amounts that are set; None when none is set (a part not
    set is left out and listed as such, never counted as zero cost silently)."""
    amounts = [amount for _, amount, _ in per_event if amount is not None]
    if not amounts:
        return {"unit_cost": None, "cost": None}
    each = sum(amounts)
    return {"unit_cost": each, "cost": {k: (None if v is None else v * each)
                                        for k, v in events.items() if k in ("low", "central", "high")}}


def avoided(*, filters: MetricFilters) -> dict:
    """Avoided bookings, ED visits and EMS transports with low/central/high counts and costs."""
    counts = _counts(filters)
    costs = unit_costs(filters.agency_id)

    def amount(key):
        return costs[key]["amount"] if key in costs else None

    def product(*keys):
        values = [amount(k) for k in keys]
        return None if any(v is None for v in values) else values[0] * values[1] if len(values) == 2 else values[0]

    booking_parts = [("jail_booking", amount("jail_booking"), "per booking"),
                     ("jail_days_per_booking × jail_bed_day", product("jail_days_per_booking", "jail_bed_day"),
                      "jail stay"),
                     ("officer_hours_per_arrest × officer_hour", product("officer_hours_per_arrest", "officer_hour"),
                      "officer time")]
    ed_parts = [("ed_visit", amount("ed_visit"), "per visit"),
                ("officer_hours_per_ed_transport × officer_hour",
                 product("officer_hours_per_ed_transport", "officer_hour"), "officer time")]
    ems_parts = [("ems_transport", amount("ems_transport"), "per transport")]
    lines = []
    for key, basis, (successes, total), parts, high_all in (
        ("jail_bookings", counts["diverted"], counts["arrests"], booking_parts, True),
        ("ed_visits", counts["resolved"], counts["ed"], ed_parts, False),
        ("ems_transports", counts["resolved"], counts["ems"], ems_parts, False),
    ):
        events = _range(basis, successes, total, high_all=high_all)
        priced = _price(events, parts)
        lines.append({"event": key, "rule": RULES[key], "basis": basis, **events, **priced,
                      "cost_parts": [{"name": name, "amount": value, "what": what} for name, value, what in parts]})
    totals = {}
    for bound in ("low", "central", "high"):
        values = [line["cost"][bound] for line in lines if line["cost"] is not None]
        totals[bound] = sum(v for v in values if v is not None) if values else None
    return {"lines": lines, "total_cost": totals, "costed": [l["event"] for l in lines if l["cost"] is not None],
            "unit_costs": {key: costs.get(key) for key in UNIT_COSTS}}


def handoff_times(*, filters: MetricFilters) -> dict:
    """Median and 90th percentile hand-off minutes (arrival at the facility to release), per facility
    and overall, over the unit's calls with both times. Percentiles as PERCENTILE_CONT, portable,
    walked over the call facts' hand-off index (metrics/facts.py keeps the seconds per call)."""
    seconds = CallFact.handoff_seconds
    # The dates unindexed: SQLite then walks the hand-off indexes in order instead of sorting the period.
    base = [*slice_conditions(filters, CallFact, date_column=unindexed(CallFact.local_date)), seconds.is_not(None)]
    facilities = db.session.execute(
        sa.select(CallFact.handoff_facility, sa.func.count()).where(*base)
        .group_by(CallFact.handoff_facility).order_by(CallFact.handoff_facility)).all()

    def summary(conditions, count):
        median, p90 = ranked_percentiles(seconds, conditions, count)
        return {"calls": count, "median_minutes": None if median is None else median / 60,
                "p90_minutes": None if p90 is None else p90 / 60}

    rows = [{"facility": name, **summary([*base, CallFact.handoff_facility == name], int(n))} for name, n in facilities]
    total = sum(row["calls"] for row in rows)
    return {"facilities": rows, "overall": summary(base, total)}

"""Before/after and like-with-like comparisons of outcome proportions, with a 95% interval for the
difference.

Counts come from SQL; the interval is Newcombe's hybrid score interval for a difference of two
independent proportions (Newcombe 1998, method 10, built from the two Wilson score intervals). It
stays inside [-1, 1] and behaves at 0 and at small counts, where the Wald interval does not.
These are observational comparisons, not causal estimates: the groups differ in more than who
responded (time, call mix, dispatch choices).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Team
from mhu.services.evaluation.eligibility import counts_for, rules_for
from mhu.services.evaluation.rollup import COMPARED_MEASURES
from mhu.services.metrics.sql import MetricFilters

Z95 = 1.959963984540054
CAVEAT = ("These are observational comparisons, not causal estimates: the groups differ in more than who "
          "responded (period, call mix, dispatch decisions), so a difference is not the effect of the unit.")
METHOD = "Newcombe hybrid score interval (method 10), 95%"
COMPARED = tuple(COMPARED_MEASURES)
TITLES = {"arrest_rate": "Arrest", "use_of_force_rate": "Use of force (physical control or above)",
          "injury_rate": "Injury (minor or worse)", "ed_use": "Emergency department use",
          "repeat_call_share": "Repeat contact (person's earlier call in the repeat window)"}


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of successes/total (None when total is 0)."""
    if total <= 0:
        return None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = (z / (1 + z * z / total)) * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> dict | None:
    """Difference p1 - p2 with Newcombe's hybrid score interval (None when a group is empty)."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1, z), wilson(x2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return {"difference": difference, "low": low, "high": high}


def _group_counts(counts, condition) -> dict:
    """Calls meeting `condition`, and each compared rate's numerator and denominator among them."""
    columns = []
    for numerator, denominator in COMPARED_MEASURES.values():
        columns += [counts.count(condition, numerator), counts.count(condition, denominator)]
    row = db.session.execute(sa.select(counts.count(condition), *columns).where(*counts.where)).one()
    values = [int(v or 0) for v in row]
    return {"calls": values[0],
            **{name: (values[1 + 2 * i], values[2 + 2 * i]) for i, name in enumerate(COMPARED_MEASURES)}}


def _compare(first: dict, second: dict, labels: tuple[str, str]) -> list[dict]:
    rows = []
    for name in COMPARED:
        (x1, n1), (x2, n2) = first[name], second[name]
        rows.append({
            "metric": name, "title": TITLES[name],
            labels[0]: {"numerator": x1, "denominator": n1, "value": x1 / n1 if n1 else None},
            labels[1]: {"numerator": x2, "denominator": n2, "value": x2 / n2 if n2 else None},
            "difference": newcombe(x1, n1, x2, n2),
        })
    return rows


def _population(rules) -> str:
    if rules is None:
        return "all calls (no eligibility rules are configured)"
    return "calls in scope of the eligibility rules"


def like_with_like(*, filters: MetricFilters) -> dict:
    """Unit-attended vs patrol-only calls in scope, over the same period."""
    counts = counts_for(filters, rules := rules_for(filters.agency_id))
    unit = _group_counts(counts, sa.and_(counts.scope, counts.keys.unit))
    patrol = _group_counts(counts, sa.and_(counts.scope, sa.not_(counts.keys.unit)))
    return {"population": _population(rules), "method": METHOD, "caveat": CAVEAT,
            "groups": {"unit": unit["calls"], "patrol_only": patrol["calls"]},
            "metrics": _compare(unit, patrol, ("unit", "patrol_only"))}


def program_start(agency_id: int, team_id: int | None = None) -> date | None:
    """The team's program start date; without a team, the earliest start among the agency's teams."""
    query = sa.select(sa.func.min(Team.program_start_date)).where(Team.agency_id == agency_id)
    if team_id is not None:
        query = query.where(Team.id == team_id)
    return db.session.scalar(query)


def before_after(*, agency_id: int, days: int, team_id: int | None = None, district: str | None = None) -> dict:
    """The same metrics over the `days` days before the program start and the `days` days from it.

    The population is every call in scope (any responder), so the periods compare how the agency's
    in-scope calls ended before and after the unit existed."""
    start = program_start(agency_id, team_id)
    if start is None:
        return {"configured": False, "caveat": CAVEAT, "method": METHOD, "metrics": []}
    before = MetricFilters(agency_id=agency_id, date_from=start - timedelta(days=days),
                           date_to=start - timedelta(days=1), district=district)
    after = before.with_dates(start, start + timedelta(days=days - 1))
    rules = rules_for(agency_id)
    after_counts, before_counts = counts_for(after, rules), counts_for(before, rules)
    first, second = _group_counts(after_counts, after_counts.scope), _group_counts(before_counts, before_counts.scope)
    return {"configured": True, "program_start": start.isoformat(), "days": days, "population": _population(rules),
            "before": {"from": before.date_from.isoformat(), "to": before.date_to.isoformat(), "calls": second["calls"]},
            "after": {"from": after.date_from.isoformat(), "to": after.date_to.isoformat(), "calls": first["calls"]},
            "method": METHOD, "caveat": CAVEAT, "metrics": _compare(first, second, ("after", "before"))}

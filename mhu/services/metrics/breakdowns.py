"""Distributions of C: by source, nature, intercept, disposition, district, team, force, legal hold,
transfers, hour x weekday, durations; dispositions over time; the intercept -> disposition ->
follow-up outcome flow, and both by outcome class (mhu.services.outcomes). Counts only, grouped in SQL."""

from __future__ import annotations

import sqlalchemy as sa

from mhu.enums import FORCE_LEVELS
from mhu.extensions import db
from mhu.models import Call, FollowUp, Team
from mhu.services.metrics.sql import MetricFilters, call_conditions, count_if, date_bucket, located, seconds_between
from mhu.services.outcomes import FOLLOWUP_GROUPS, OUTCOME_CLASSES, followup_group, outcome_class

CLASS_ORDER = {outcome.key: index for index, outcome in enumerate(OUTCOME_CLASSES)}
FOLLOWUP_ORDER = {key: index for index, (key, _, _) in enumerate(FOLLOWUP_GROUPS)}

# dimension -> (column, restrict to C'?). Force is a rate's distribution, so its base is C'.
BREAKDOWNS = {
    "source": (lambda: Call.call_source, False),
    "nature": (lambda: Call.nature, False),
    "intercept": (lambda: Call.sim_intercept, False),
    "disposition": (lambda: sa.func.coalesce(Call.disposition, "missing", type_=sa.String), False),
    "district": (lambda: sa.func.coalesce(Call.district, "unknown", type_=sa.String), False),
    "force": (lambda: Call.force_level, True),
    "legal_hold": (lambda: sa.func.coalesce(Call.legal_hold_type, "unspecified", type_=sa.String), True),
}
EXTRA_BREAKDOWNS = ("team", "transfers", "hour_weekday")


def breakdown(*, filters: MetricFilters, dimension: str) -> list[dict]:
    """Counts of C per value of a dimension, largest first (force in its own order)."""
    if dimension == "team":
        return _by_team(filters)
    if dimension == "transfers":
        return transfers(filters=filters)
    if dimension == "hour_weekday":
        return hour_weekday(filters=filters)
    column_of, located_only = BREAKDOWNS[dimension]
    key = column_of().label("key")
    conditions = call_conditions(filters)
    if located_only:
        conditions.append(located())
    if dimension == "legal_hold":
        conditions.append(Call.disposition == "emergency_detention")
    rows = db.session.execute(
        sa.select(key, sa.func.count().label("count")).where(*conditions).group_by(key)
        .order_by(sa.func.count().desc(), key)
    ).all()
    result = [{"key": row.key, "count": int(row.count)} for row in rows]
    if dimension == "force":
        counts = {row["key"]: row["count"] for row in result}
        result = [{"key": level, "count": counts.get(level, 0)} for level in FORCE_LEVELS]
    return result


def _by_team(filters: MetricFilters) -> list[dict]:
    rows = db.session.execute(
        sa.select(Team.name, sa.func.count().label("count")).select_from(Call).join(Team, Team.id == Call.team_id)
        .where(*call_conditions(filters)).group_by(Team.name).order_by(sa.func.count().desc(), Team.name)
    ).all()
    return [{"key": row.name, "count": int(row.count)} for row in rows]


def transfers(*, filters: MetricFilters) -> list[dict]:
    """988 / 911 handoffs: counts of C by transfer_in and by transfer_out value (none left out)."""
    result = []
    for direction, column in (("in", Call.transfer_in), ("out", Call.transfer_out)):
        rows = db.session.execute(
            sa.select(column, sa.func.count()).where(*call_conditions(filters), column != "none")
            .group_by(column).order_by(column)
        ).all()
        result += [{"key": f"{direction}:{value}", "direction": direction, "value": value, "count": int(count)}
                   for value, count in rows]
    return result


def hour_weekday(*, filters: MetricFilters) -> list[dict]:
    """Counts of C per local weekday (0 = Monday) and hour, non-empty cells only."""
    rows = db.session.execute(
        sa.select(Call.local_weekday, Call.local_hour, sa.func.count()).where(*call_conditions(filters))
        .group_by(Call.local_weekday, Call.local_hour).order_by(Call.local_weekday, Call.local_hour)
    ).all()
    return [{"weekday": int(w), "hour": int(h), "count": int(c)} for w, h, c in rows]


def disposition_series(*, filters: MetricFilters, interval: str = "month") -> list[dict]:
    """Counts of C per bucket and disposition (missing shown as 'missing')."""
    bucket = date_bucket(Call.local_date, interval).label("period")
    key = sa.func.coalesce(Call.disposition, "missing", type_=sa.String).label("disposition")
    rows = db.session.execute(
        sa.select(bucket, key, sa.func.count()).where(*call_conditions(filters))
        .group_by(bucket, key).order_by(bucket, key)
    ).all()
    return [{"period": str(p), "disposition": d, "count": int(c)} for p, d, c in rows]


def duration_histogram(*, filters: MetricFilters, measure: str, bin_minutes: int = 5, max_minutes: int = 120) -> list[dict]:
    """Counts of C per duration bin (minutes); the last bin holds everything at or over max_minutes.

    measure: response (dispatched -> arrived), response_from_received, on_scene (arrived -> cleared).
    """
    start, end = {
        "response": (Call.dispatched_at, Call.arrived_at),
        "response_from_received": (Call.received_at, Call.arrived_at),
        "on_scene": (Call.arrived_at, Call.cleared_at),
    }[measure]
    seconds = seconds_between(start, end)
    width = bin_minutes * 60
    last = max_minutes // bin_minutes
    # CAST of a non-negative whole number of seconds divided by an integer width: same on both databases.
    index = sa.cast(seconds, sa.Integer) // width
    capped = sa.case((index >= last, last), else_=index).label("bin")
    rows = db.session.execute(
        sa.select(capped, sa.func.count()).where(*call_conditions(filters), start.is_not(None), end.is_not(None))
        .group_by(capped).order_by(capped)
    ).all()
    return [{"from_minutes": int(b) * bin_minutes, "to_minutes": None if int(b) == last else (int(b) + 1) * bin_minutes,
             "count": int(c)} for b, c in rows]


def outcome_flow(*, filters: MetricFilters) -> list[dict]:
    """Counts of C per (intercept, disposition, follow-up outcome): the Sankey's links.

    A call's follow-up outcome is 'no_followup', 'open' while any follow-up is open, else the
    outcome of its follow-up(s) (the alphabetically last when there are several).
    """
    # Only the follow-ups of this period's calls are grouped (not every follow-up ever opened).
    in_period = sa.select(Call.id).where(*call_conditions(filters))
    per_call = (
        sa.select(
            FollowUp.call_id, sa.func.max(FollowUp.outcome).label("outcome"),
            count_if(FollowUp.closed_at.is_(None)).label("open"),
        ).where(FollowUp.call_id.in_(in_period)).group_by(FollowUp.call_id).subquery("per_call")
    )
    outcome = sa.case(
        (per_call.c.call_id.is_(None), "no_followup"), (per_call.c.open > 0, "open"),
        else_=sa.func.coalesce(per_call.c.outcome, "closed_no_outcome", type_=sa.String),
    ).label("outcome")
    disposition = sa.func.coalesce(Call.disposition, "missing", type_=sa.String).label("disposition")
    rows = db.session.execute(
        sa.select(Call.sim_intercept, disposition, outcome, sa.func.count())
        .select_from(Call).outerjoin(per_call, per_call.c.call_id == Call.id)
        .where(*call_conditions(filters))
        .group_by(Call.sim_intercept, disposition, outcome).order_by(Call.sim_intercept, disposition, outcome)
    ).all()
    return [{"intercept": int(i), "disposition": d, "outcome": o, "count": int(c)} for i, d, o, c in rows]


def outcome_class_series(*, filters: MetricFilters, interval: str = "month",
                         dispositions: list[dict] | None = None) -> list[dict]:
    """Counts of C per bucket and outcome class, every class present in every bucket (0 included),
    classes in OUTCOME_CLASSES order: disposition_series added up by class (pass its rows for the
    same filters as `dispositions` to save the second read)."""
    rows = disposition_series(filters=filters, interval=interval) if dispositions is None else dispositions
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["period"], outcome_class(row["disposition"]))
        counts[key] = counts.get(key, 0) + row["count"]
    periods = sorted({period for period, _ in counts})
    return [{"period": period, "outcome_class": outcome.key, "count": counts.get((period, outcome.key), 0)}
            for period in periods for outcome in OUTCOME_CLASSES]


def outcome_class_flow(*, filters: MetricFilters) -> list[dict]:
    """The outcome flow by class: counts of C per (intercept, outcome class, follow-up group), each
    link also listing its dispositions' counts (the detail behind the simplified chart)."""
    links: dict[tuple, dict] = {}
    for row in outcome_flow(filters=filters):
        key = (row["intercept"], outcome_class(row["disposition"]), followup_group(row["outcome"]))
        link = links.setdefault(key, {"intercept": key[0], "outcome_class": key[1], "followup": key[2],
                                      "count": 0, "dispositions": {}})
        link["count"] += row["count"]
        link["dispositions"][row["disposition"]] = link["dispositions"].get(row["disposition"], 0) + row["count"]
    return sorted(links.values(), key=lambda link: (link["intercept"], CLASS_ORDER[link["outcome_class"]],
                                                    FOLLOWUP_ORDER[link["followup"]]))

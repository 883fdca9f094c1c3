"""Distributions of C: by source, nature, intercept, disposition, district, team, force, legal hold,
transfers, hour x weekday, durations; dispositions over time; the intercept -> disposition ->
follow-up outcome flow, and both by outcome class (mhu.services.outcomes). Counts only, grouped in SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from mhu.enums import FORCE_LEVELS
from mhu.extensions import db
from mhu.models import Call, FollowUp, MetricDimDay, Team
from mhu.services.metrics.sql import (
    MetricFilters, call_conditions, count_if, current_day_sums, date_bucket, dialect, located, seconds_between,
    teams_only,
)
from mhu.services.metrics.quality import QUALITY_CHECKS
from mhu.services.outcomes import FOLLOWUP_GROUPS, NO_DISPOSITION, OUTCOME_CLASSES, followup_group, outcome_class

CLASS_ORDER = {outcome.key: index for index, outcome in enumerate(OUTCOME_CLASSES)}
FOLLOWUP_ORDER = {key: index for index, (key, _, _) in enumerate(FOLLOWUP_GROUPS)}

# The duration histograms' bins; the day rollups hold these bins, so other widths read the calls.
HISTOGRAM_BIN_MINUTES, HISTOGRAM_MAX_MINUTES = 5, 120
DURATION_SPANS = {
    "response": (lambda: Call.dispatched_at, lambda: Call.arrived_at),
    "response_from_received": (lambda: Call.received_at, lambda: Call.arrived_at),
    "on_scene": (lambda: Call.arrived_at, lambda: Call.cleared_at),
}
KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class Dimension:
    """A distribution of C: one text key per call (`key` gets the per-call follow-up state when
    `followups` is set), over the calls that also meet `where`."""

    key: Callable
    where: Callable[[], list] = list
    followups: bool = False


def _text(column):
    return sa.cast(column, sa.String)


def _joined(*parts):
    key = _text(parts[0])
    for part in parts[1:]:
        key = key + KEY_SEPARATOR + _text(part)
    return key


def _duration_bin(measure: str) -> Dimension:
    def key(_):
        start, end = (column() for column in DURATION_SPANS[measure])
        # CAST of a non-negative whole number of seconds divided by an integer width: same on both databases.
        index = sa.cast(seconds_between(start, end), sa.Integer) // (HISTOGRAM_BIN_MINUTES * 60)
        last = HISTOGRAM_MAX_MINUTES // HISTOGRAM_BIN_MINUTES
        return _text(sa.case((index >= last, last), else_=index))

    return Dimension(key=key, where=lambda: [column().is_not(None) for column in DURATION_SPANS[measure]])


def _disposition():
    return sa.func.coalesce(Call.disposition, NO_DISPOSITION, type_=sa.String)


# name -> how each call is keyed. Read from the day rollups (models.MetricDimDay, written by
# metrics/facts.py from these same definitions) or, for filters the rollups do not hold, from the calls.
DIMENSIONS: dict[str, Dimension] = {
    "calls": Dimension(key=lambda _: sa.literal("", sa.String)),
    "source": Dimension(key=lambda _: Call.call_source),
    "nature": Dimension(key=lambda _: Call.nature),
    "intercept": Dimension(key=lambda _: _text(Call.sim_intercept)),
    "disposition": Dimension(key=lambda _: _disposition()),
    "district": Dimension(key=lambda _: sa.func.coalesce(Call.district, "unknown", type_=sa.String)),
    # Force is a rate's distribution, so its base is C'; legal holds are those of detentions in C'.
    "force": Dimension(key=lambda _: Call.force_level, where=lambda: [located()]),
    "legal_hold": Dimension(key=lambda _: sa.func.coalesce(Call.legal_hold_type, "unspecified", type_=sa.String),
                            where=lambda: [located(), Call.disposition == "emergency_detention"]),
    "transfer_in": Dimension(key=lambda _: Call.transfer_in, where=lambda: [Call.transfer_in != "none"]),
    "transfer_out": Dimension(key=lambda _: Call.transfer_out, where=lambda: [Call.transfer_out != "none"]),
    "hour_weekday": Dimension(key=lambda _: _joined(Call.local_weekday, Call.local_hour)),
    **{f"{measure}_bin": _duration_bin(measure) for measure in DURATION_SPANS},
    "flow": Dimension(key=lambda state: _joined(Call.sim_intercept, _disposition(), state), followups=True),
    **{f"quality:{check}": Dimension(key=lambda _: sa.literal("", sa.String), where=lambda condition=condition: [condition()])
       for check, condition in QUALITY_CHECKS.items()},
}
BREAKDOWNS = ("source", "nature", "intercept", "disposition", "district", "force", "legal_hold")
EXTRA_BREAKDOWNS = ("team", "transfers", "hour_weekday")


def dimension_query(name: str, conditions: list, *columns):
    """SELECT *columns, key, COUNT(*) of the calls meeting `conditions`, grouped by the columns and
    key: a dimension read from the calls (the day rollups are written by dimension_rollup)."""
    dimension = DIMENSIONS[name]
    state, source = _followup_states(conditions, False) if dimension.followups else (None, Call.__table__)
    key = dimension.key(state).label("key")
    return (sa.select(*columns, key, sa.func.count().label("count")).select_from(source)
            .where(*conditions, *dimension.where()).group_by(*columns, key))


def dimension_rollup(names, conditions: list, *columns, few_calls: bool = False) -> sa.CompoundSelect:
    """SELECT *columns, dimension, key, calls for each dimension of `names`: the rows of
    dimension_query(name, ...) for every name, from one read of the calls.

    The calls meeting `conditions` are read once into a materialized CTE holding each dimension's
    key (and whether the call is in that dimension's `where`), and each dimension is grouped from
    it. Twenty passes over the calls themselves cost an import of a million calls 94 s on SQLite
    (each pass about the same, even when it found nothing: the cost is reading the calls);
    bench/README.md "Import"."""
    names = list(names)
    needs_state = any(DIMENSIONS[name].followups for name in names)
    state, source = _followup_states(conditions, few_calls) if needs_state else (None, Call.__table__)
    per_call = list(columns)
    for index, name in enumerate(names):
        dimension = DIMENSIONS[name]
        per_call.append(dimension.key(state).label(f"key_{index}"))
        where = dimension.where()
        if where:
            per_call.append(sa.case((sa.and_(*where), 1)).label(f"in_{index}"))
    calls = sa.select(*per_call).select_from(source).where(*conditions).cte("dimension_calls").prefix_with("MATERIALIZED")
    grouped = [calls.c[column.key] for column in columns]
    queries = []
    for index, name in enumerate(names):
        key = calls.c[f"key_{index}"]
        query = sa.select(*grouped, sa.literal(name, sa.String).label("dimension"), key.label("key"),
                          sa.func.count().label("calls")).group_by(*grouped, key)
        if f"in_{index}" in calls.c:
            query = query.where(calls.c[f"in_{index}"].is_not(None))
        queries.append(query)
    return sa.union_all(*queries)


def _followup_states(conditions: list, few_calls: bool):
    """(each call's follow-up state as an expression, the calls joined to what it needs).
    `few_calls`: the conditions pick a day or a few (a write's refresh), which changes the best
    plan on PostgreSQL."""
    if few_calls and dialect() == "postgresql":
        # Each call's follow-ups looked up by ix_followup_call_id: for one day's calls PostgreSQL
        # otherwise hash-joins the whole follow-up table (100 ms per call written at 1M calls).
        per_call = (
            sa.select(sa.func.count().label("followups"), sa.func.max(FollowUp.outcome).label("outcome"),
                      count_if(FollowUp.closed_at.is_(None)).label("open"))
            .where(FollowUp.call_id == Call.id).lateral("per_call")
        )
        state = sa.case((per_call.c.followups == 0, "no_followup"), (per_call.c.open > 0, "open"),
                        else_=sa.func.coalesce(per_call.c.outcome, "closed_no_outcome", type_=sa.String))
        return state, Call.__table__.join(per_call, sa.true())
    # Only the follow-ups of these calls are grouped (not every follow-up ever opened).
    # Driven from the calls (a join, not call_id IN (...)), so the planners walk the follow-ups
    # of these calls by their call_id index rather than grouping the whole follow-up table.
    per_call = (
        sa.select(FollowUp.call_id, sa.func.max(FollowUp.outcome).label("outcome"),
                  count_if(FollowUp.closed_at.is_(None)).label("open"))
        .select_from(Call).join(FollowUp, FollowUp.call_id == Call.id)
        .where(*conditions).group_by(FollowUp.call_id)
        .subquery("per_call")
    )
    state = sa.case((per_call.c.call_id.is_(None), "no_followup"), (per_call.c.open > 0, "open"),
                    else_=sa.func.coalesce(per_call.c.outcome, "closed_no_outcome", type_=sa.String))
    return state, Call.__table__.outerjoin(per_call, per_call.c.call_id == Call.id)


def rollup_conditions(filters: MetricFilters, dimensions) -> list:
    """The filters (agency, dates, teams) and `dimensions` as a WHERE clause on the day rollups."""
    table = MetricDimDay
    conditions = [table.agency_id == filters.agency_id, dimensions,
                  table.local_date >= filters.date_from, table.local_date <= filters.date_to]
    if filters.team_ids is not None:
        conditions.append(table.team_id.in_(sorted(filters.team_ids) or [-1]))
    return conditions


def distribution(filters: MetricFilters, name: str, *, interval: str | None = None,
                 by_team: bool = False) -> list[tuple]:
    """Rows of ([period,] [team_id,] key, count) of one dimension over the filtered calls."""
    if teams_only(filters):
        current_day_sums(filters.agency_id)
        table = MetricDimDay
        columns = [date_bucket(table.local_date, interval)] if interval else []
        if by_team:
            columns.append(table.team_id)
        query = (sa.select(*columns, table.key, sa.func.sum(table.calls))
                 .where(*rollup_conditions(filters, table.dimension == name)).group_by(*columns, table.key))
    else:
        columns = [date_bucket(Call.local_date, interval)] if interval else []
        if by_team:
            columns.append(Call.team_id)
        query = dimension_query(name, call_conditions(filters), *columns)
    return [(*row[:-1], int(row[-1])) for row in db.session.execute(query)]


def dimension_totals(filters: MetricFilters, names: list[str]) -> dict[str, int]:
    """How many filtered calls each dimension counts (its `where`), all in one read."""
    if teams_only(filters):
        current_day_sums(filters.agency_id)
        table = MetricDimDay
        found = dict(db.session.execute(
            sa.select(table.dimension, sa.func.sum(table.calls))
            .where(*rollup_conditions(filters, table.dimension.in_(names))).group_by(table.dimension)).all())
        return {name: int(found.get(name) or 0) for name in names}
    counts = [count_if(sa.and_(sa.true(), *DIMENSIONS[name].where())) for name in names]
    row = db.session.execute(sa.select(*counts).where(*call_conditions(filters))).one()
    return {name: int(value) for name, value in zip(names, row)}


def _largest_first(counts) -> list[dict]:
    return [{"key": key, "count": count} for key, count in sorted(counts, key=lambda item: (-item[1], item[0]))]


def breakdown(*, filters: MetricFilters, dimension: str) -> list[dict]:
    """Counts of C per value of a dimension, largest first (force in its own order)."""
    if dimension == "team":
        return _by_team(filters)
    if dimension == "transfers":
        return transfers(filters=filters)
    if dimension == "hour_weekday":
        return hour_weekday(filters=filters)
    if dimension not in BREAKDOWNS:
        raise KeyError(dimension)
    rows = distribution(filters, dimension)
    if dimension == "intercept":
        rows = [(int(key), count) for key, count in rows]
    if dimension == "force":
        counts = dict(rows)
        return [{"key": level, "count": counts.get(level, 0)} for level in FORCE_LEVELS]
    return _largest_first(rows)


def _by_team(filters: MetricFilters) -> list[dict]:
    counts = dict((team_id, count) for team_id, _, count in distribution(filters, "calls", by_team=True))
    names = dict(db.session.execute(sa.select(Team.id, Team.name).where(Team.id.in_(sorted(counts) or [-1]))).all())
    per_name: dict[str, int] = {}
    for team_id, count in counts.items():
        per_name[names[team_id]] = per_name.get(names[team_id], 0) + count
    return _largest_first(per_name.items())


def transfers(*, filters: MetricFilters) -> list[dict]:
    """988 / 911 handoffs: counts of C by transfer_in and by transfer_out value (none left out)."""
    result = []
    for direction in ("in", "out"):
        result += [{"key": f"{direction}:{value}", "direction": direction, "value": value, "count": count}
                   for value, count in sorted(distribution(filters, f"transfer_{direction}"))]
    return result


def hour_weekday(*, filters: MetricFilters) -> list[dict]:
    """Counts of C per local weekday (0 = Monday) and hour, non-empty cells only."""
    cells = sorted((*(int(part) for part in key.split(KEY_SEPARATOR)), count)
                   for key, count in distribution(filters, "hour_weekday"))
    return [{"weekday": weekday, "hour": hour, "count": count} for weekday, hour, count in cells]


def disposition_series(*, filters: MetricFilters, interval: str = "month") -> list[dict]:
    """Counts of C per bucket and disposition (missing shown as 'missing')."""
    return [{"period": str(period), "disposition": disposition, "count": count}
            for period, disposition, count in sorted(distribution(filters, "disposition", interval=interval))]


def duration_histogram(*, filters: MetricFilters, measure: str, bin_minutes: int = HISTOGRAM_BIN_MINUTES,
                       max_minutes: int = HISTOGRAM_MAX_MINUTES) -> list[dict]:
    """Counts of C per duration bin (minutes); the last bin holds everything at or over max_minutes.

    measure: response (dispatched -> arrived), response_from_received, on_scene (arrived -> cleared).
    """
    last = max_minutes // bin_minutes
    if (bin_minutes, max_minutes) == (HISTOGRAM_BIN_MINUTES, HISTOGRAM_MAX_MINUTES):
        rows = [(int(key), count) for key, count in distribution(filters, f"{measure}_bin")]
    else:
        start, end = (column() for column in DURATION_SPANS[measure])
        index = sa.cast(seconds_between(start, end), sa.Integer) // (bin_minutes * 60)
        capped = sa.case((index >= last, last), else_=index)
        rows = db.session.execute(
            sa.select(capped, sa.func.count()).where(*call_conditions(filters), start.is_not(None), end.is_not(None))
            .group_by(capped)).all()
    return [{"from_minutes": int(b) * bin_minutes, "to_minutes": None if int(b) == last else (int(b) + 1) * bin_minutes,
             "count": int(c)} for b, c in sorted(rows)]


def outcome_flow(*, filters: MetricFilters) -> list[dict]:
    """Counts of C per (intercept, disposition, follow-up outcome): the Sankey's links.

    A call's follow-up outcome is 'no_followup', 'open' while any follow-up is open, else the
    outcome of its follow-up(s) (the alphabetically last when there are several).
    """
    links = []
    for key, count in distribution(filters, "flow"):
        intercept, disposition, outcome = key.split(KEY_SEPARATOR)
        links.append({"intercept": int(intercept), "disposition": disposition, "outcome": outcome, "count": count})
    return sorted(links, key=lambda link: (link["intercept"], link["disposition"], link["outcome"]))


def data_quality(*, filters: MetricFilters) -> dict:
    """Counts of C missing a disposition, intercept, any time or a person; calls with a note later than 72 h."""
    totals = dimension_totals(filters, ["calls", *(f"quality:{check}" for check in QUALITY_CHECKS)])
    return {"calls": totals["calls"], **{check: totals[f"quality:{check}"] for check in QUALITY_CHECKS}}


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

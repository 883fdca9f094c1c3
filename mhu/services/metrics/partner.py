"""Partner output: counts by month, quarter and year, by configured district or outcome group,
from the year's publication grid (services/metrics/publication.py), nothing finer.

No free text, no person rows, no team or beat. Partners ask for one whole calendar month, quarter
or year, or twelve whole months (by default the last twelve before the current, partial month);
every number they get is a cell of a year's grid, suppressed over the whole grid at
once, so no combination of answers pins down a hidden cell. Districts are the agency's
configured list; a call whose district is not on it counts as `other`.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Agency, MetricDimDay, User
from mhu.services import ServiceError, agency_settings, audit
from mhu.services.localtime import agency_today
from mhu.services.metrics import publication, registry, suppression
from mhu.services.metrics.rates import ARREST_OR_CITATION, RESOLVED_IN_COMMUNITY
from mhu.services.metrics.breakdowns import rollup_conditions
from mhu.services.metrics.sql import MetricFilters, current_day_sums, located_disposition

# Outcome groups partition C' (every located call falls in exactly one), so the table adds up.
# Count columns are named `calls_...` so they never share a key with a rate.
OUTCOME_GROUPS = {
    "calls_resolved_in_community": RESOLVED_IN_COMMUNITY,
    "calls_to_hospital": ("voluntary_transport_ed", "ems_medical_transport"),
    "calls_emergency_detention": ("emergency_detention",),
    "calls_arrest_or_citation": ARREST_OR_CITATION,
}
OTHER_GROUP = "calls_other_outcome"
GROUP_TITLES = {
    "calls_resolved_in_community": "Calls resolved in community",
    "calls_to_hospital": "Calls ending at a hospital",
    "calls_emergency_detention": "Calls ending in emergency detention",
    "calls_arrest_or_citation": "Calls ending in arrest or citation",
    OTHER_GROUP: "Calls with another outcome",
    "total": "Located calls",
}
# The rates carry the summary API's metric keys and the registry's titles.
RATE_KEYS = ("jail_diversion_rate", "resolved_in_community", "ed_use")
PARTNER_TABLES = ("calls_by_district", "outcomes")
OTHER_DISTRICT = "other"
PERIOD_RULE = ("Partner tables cover one whole calendar month, quarter or year, or twelve consecutive whole "
               "months: `from` must be its first day and `to` its last (e.g. from=2026-04-01&to=2026-06-30). "
               "Without both, the last twelve whole months.")


def publication_period(date_from: date, date_to: date) -> tuple[int, list[str]]:
    """The year and the grid periods (rows) of a whole month, quarter or year; 422 otherwise."""
    year = date_from.year
    last_day = calendar.monthrange(date_to.year, date_to.month)[1]
    if date_from.day != 1 or date_to.day != last_day or date_to.year != year:
        raise ServiceError(PERIOD_RULE, {"from": [PERIOD_RULE]})
    first, last = date_from.month, date_to.month
    if first == last:
        return year, [publication.MONTHS[first - 1]]
    if last - first == 2 and first % 3 == 1:
        quarter = publication.QUARTERS[(first - 1) // 3]
        return year, [*publication.MONTHS[first - 1:last], quarter]
    if first == 1 and last == 12:
        return year, [*publication.MONTHS, *publication.QUARTERS, publication.YEAR]
    raise ServiceError(PERIOD_RULE, {"from": [PERIOD_RULE]})


def publication_cells(date_from: date, date_to: date) -> list[tuple[int, str]]:
    """The grid rows, as (year, period), of a whole month, quarter or year (its months, quarters
    and itself), or of twelve consecutive whole months (those months, from up to two years'
    grids: every row is a cell of a grid, so nothing new is published). 422 otherwise."""
    last_day = calendar.monthrange(date_to.year, date_to.month)[1]
    months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    if date_from.year != date_to.year and date_from.day == 1 and date_to.day == last_day and months == 12:
        return [(date_from.year + (date_from.month - 1 + i) // 12, publication.MONTHS[(date_from.month - 1 + i) % 12])
                for i in range(12)]
    year, periods = publication_period(date_from, date_to)
    return [(year, period) for period in periods]


def default_window(agency_id: int) -> tuple[date, date]:
    """The last twelve whole months in the agency's time zone, without the current partial month."""
    this_month = agency_today(agency_id).replace(day=1)
    return this_month - relativedelta(months=12), this_month - relativedelta(days=1)


def window(agency_id: int, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The asked period, or the default window when neither end is given (one end alone: 422)."""
    if date_from is None and date_to is None:
        return default_window(agency_id)
    if date_from is None or date_to is None:
        raise ServiceError(PERIOD_RULE, {"from" if date_from is None else "to": [PERIOD_RULE]})
    return date_from, date_to


def generated_at(now: datetime | None = None) -> str:
    """The generation time printed on partner output (UTC, to the minute)."""
    return f"{(now or datetime.now(UTC)).astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def suppression_rule(threshold: int) -> str:
    """The suppression rule in one sentence, for footnotes, tooltips and CSV headers."""
    return (f"Counts above zero and below {threshold} are hidden (shown as <{threshold}), and so is any further count "
            "from which a hidden one could be worked out by combining published numbers, totals included; a "
            "rate is hidden when its numerator or denominator is hidden. Zero is shown.")


def period_label(year: int, period: str) -> str:
    """2026-03, 2026-Q1 or 2026."""
    if period == publication.YEAR:
        return str(year)
    return f"{year}-{period[1:]}" if period.startswith("M") else f"{year}-{period}"


def _check(actor: User) -> None:
    if not policy.can_view_partner_dashboard(actor):
        raise PermissionError("partner dashboards are not open to this role")


def _year_filters(agency_id: int, year: int) -> MetricFilters:
    return MetricFilters(agency_id=agency_id, date_from=date(year, 1, 1), date_to=date(year, 12, 31))


def _monthly(agency_id: int, year: int, dimension: str, category, *conditions) -> dict[tuple[str, str], int]:
    """Calls per (month, category) of a year, read from the day rollups of one dimension
    (breakdowns.DIMENSIONS); `category` and `conditions` are expressions on the rollup's key."""
    current_day_sums(agency_id)
    table = MetricDimDay
    month = sa.extract("month", table.local_date)
    rows = db.session.execute(
        sa.select(month, category.label("category"), sa.func.sum(table.calls))
        .where(*rollup_conditions(_year_filters(agency_id, year), table.dimension == dimension), *conditions)
        .group_by(month, category)
    ).all()
    counts: dict[tuple[str, str], int] = {}
    for m, key, n in rows:
        cell = (publication.MONTHS[int(m) - 1], str(key))
        counts[cell] = counts.get(cell, 0) + int(n)
    return counts


def district_names(agency_id: int) -> list[str]:
    """The configured district names, in their configured order."""
    return [item["name"] for item in agency_settings.districts(agency_id) if item.get("name")]


def district_grid(agency_id: int, year: int) -> publication.Grid:
    """Calls (C) per month x configured district (others as `other`), suppressed as one grid."""
    names = district_names(agency_id)
    # The rollup keys a call without a district as "unknown": it counts as other, as any
    # district off the list (a configured district literally named "unknown" would take them).
    key = MetricDimDay.key
    column = sa.case((key.in_(names), key), else_=OTHER_DISTRICT) if names else sa.literal(OTHER_DISTRICT)
    categories = [*names, OTHER_DISTRICT]
    threshold = agency_settings.suppression_threshold(agency_id)
    return publication.grid(_monthly(agency_id, year, "district", column), categories, threshold=threshold)


def outcome_grid(agency_id: int, year: int) -> publication.Grid:
    """Located calls (C') per month x outcome group, suppressed as one grid."""
    key = MetricDimDay.key  # the disposition, or breakdowns.NO_DISPOSITION: other, as NULL was
    group = sa.case(*[(key.in_(values), name) for name, values in OUTCOME_GROUPS.items()], else_=OTHER_GROUP)
    categories = [*OUTCOME_GROUPS, OTHER_GROUP]
    threshold = agency_settings.suppression_threshold(agency_id)
    return publication.grid(_monthly(agency_id, year, "disposition", group, located_disposition(key)), categories,
                            threshold=threshold)


def _rows(grids: dict[int, publication.Grid], cells: list[tuple[int, str]]) -> list[dict]:
    published = {year: grid.published() for year, grid in grids.items()}
    return [{"period": period_label(year, period),
             **{column: published[year][(period, column)]
                for column in [*grids[year].categories, publication.TOTAL]}}
            for year, period in cells]


def district_rows(agency_id: int, cells: list[tuple[int, str]]) -> tuple[list[str], list[dict]]:
    """The configured districts (with `other`) and the district grid's rows of the given cells."""
    grids = {year: district_grid(agency_id, year) for year in sorted({year for year, _ in cells})}
    return [*district_names(agency_id), OTHER_DISTRICT], _rows(grids, cells)


def outcome_rows(agency_id: int, cells: list[tuple[int, str]]) -> list[dict]:
    """The outcome grid's rows of the given cells, each with its rates, hidden when a part is hidden
    or when a numerator that is not itself a cell (located calls without arrest: total - arrests)
    is a small count: rate x denominator would print it."""
    threshold = agency_settings.suppression_threshold(agency_id)
    grids = {year: outcome_grid(agency_id, year) for year in sorted({year for year, _ in cells})}
    rows = _rows(grids, cells)

    def rate(numerator, denominator):
        if numerator is not None and suppression.primary_hidden(numerator, threshold):
            return None
        return suppression.suppressed_rate(numerator, denominator)

    for row in rows:
        total, arrests = row["total"], row["calls_arrest_or_citation"]
        row["jail_diversion_rate"] = rate(None if arrests is None or total is None else total - arrests, total)
        row["resolved_in_community"] = rate(row["calls_resolved_in_community"], total)
        hospital, detention = row["calls_to_hospital"], row["calls_emergency_detention"]
        row["ed_use"] = rate(None if hospital is None or detention is None else hospital + detention, total)
    return rows


def calls_by_district(*, actor: User, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Calls per period and district, from the year's suppressed grid."""
    _check(actor)
    date_from, date_to = window(actor.agency_id, date_from, date_to)
    categories, rows = district_rows(actor.agency_id, publication_cells(date_from, date_to))
    audit.record(action="partner.calls_by_district", actor=actor, object_type="metrics", commit=True)
    return {"title": "Calls per period and district", "columns": ["period", *categories, "total"],
            "rows": rows, "threshold": agency_settings.suppression_threshold(actor.agency_id),
            "from": date_from, "to": date_to}


def outcomes(*, actor: User, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Located calls per period by outcome group, with rates hidden when a part is hidden."""
    _check(actor)
    date_from, date_to = window(actor.agency_id, date_from, date_to)
    rows = outcome_rows(actor.agency_id, publication_cells(date_from, date_to))
    titles = {**GROUP_TITLES, **{key: registry.metric(key).title for key in RATE_KEYS}}
    audit.record(action="partner.outcomes", actor=actor, object_type="metrics", commit=True)
    return {"title": "Located calls per period by outcome", "titles": titles,
            "columns": ["period", *OUTCOME_GROUPS, OTHER_GROUP, "total", *RATE_KEYS], "rows": rows,
            "threshold": agency_settings.suppression_threshold(actor.agency_id), "from": date_from, "to": date_to}


def table_csv(*, actor: User, result: dict, now: datetime | None = None) -> str:
    """A partner table as CSV behind a header block of `# key: value` lines (agency, period,
    generation time, suppression rule); then the API's columns, hidden cells read 'suppressed'."""
    agency = db.session.get(Agency, actor.agency_id)
    header = {"agency": agency.name, "table": result["title"],
              "period": f"{result['from']:%Y-%m-%d} to {result['to']:%Y-%m-%d}",
              "generated_at": generated_at(now), "threshold": result["threshold"],
              "suppression": suppression_rule(result["threshold"]) + " Hidden cells read 'suppressed'; rates are "
                             "shares from 0 to 1."}
    lines = "".join(f"# {key}: {' '.join(str(value).split())}\n" for key, value in header.items())
    return lines + suppression.table_csv(result)


def partner_table(*, actor: User, name: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    """One of PARTNER_TABLES by name, for one whole month, quarter or year or twelve whole months."""
    tables = {"calls_by_district": calls_by_district, "outcomes": outcomes}
    return tables[name](actor=actor, date_from=date_from, date_to=date_to)


GRANULARITIES = ("month", "quarter")


def view_cells(date_from: date, date_to: date, granularity: str) -> list[tuple[int, str]]:
    """The grid rows the partner view shows for a valid partner period: its months (or whole
    quarters; a single month: its quarter), then the period's own row when it is a quarter or year."""
    whole = publication_cells(date_from, date_to)
    firsts = []
    month = date_from.replace(day=1)
    while month <= date_to:
        firsts.append(month)
        month += relativedelta(months=1)
    if granularity == "quarter":
        rows = [(m.year, publication.QUARTERS[(m.month - 1) // 3]) for m in firsts
                if m.month % 3 == 1 and m + relativedelta(months=3) <= date_to + relativedelta(days=1)]
        rows = rows or [(date_from.year, publication.QUARTERS[(date_from.month - 1) // 3])]
    else:
        rows = [(m.year, publication.MONTHS[m.month - 1]) for m in firsts]
    if not whole[-1][1].startswith("M") and whole[-1] not in rows:
        rows.append(whole[-1])
    return rows


def partner_view(*, actor: User, date_from: date | None = None, date_to: date | None = None,
                 granularity: str = "month") -> dict:
    """Both partner tables for the dashboard's partner view, by month or by quarter, from the grids.

    Without a period: the last twelve whole months (by quarter: the whole quarters among them).
    The tables have the API's shape (so the same CSV), plus `series`: the rows of single months
    or quarters the charts draw."""
    _check(actor)
    if granularity not in GRANULARITIES:
        raise ServiceError("Granularity is month or quarter.", {"granularity": ["Use month or quarter."]})
    date_from, date_to = window(actor.agency_id, date_from, date_to)
    cells = view_cells(date_from, date_to, granularity)
    categories, calls = district_rows(actor.agency_id, cells)
    outcome_table = outcome_rows(actor.agency_id, cells)
    threshold = agency_settings.suppression_threshold(actor.agency_id)
    titles = {**GROUP_TITLES, **{key: registry.metric(key).title for key in RATE_KEYS}}
    single = [index for index, (_, period) in enumerate(cells) if period[0] == granularity[0].upper()]
    audit.record(action="partner.view", actor=actor, object_type="metrics", commit=True)
    common = {"threshold": threshold, "from": date_from, "to": date_to}
    return {
        "granularity": granularity, "threshold": threshold, "from": date_from, "to": date_to,
        "rule": suppression_rule(threshold),
        "calls_by_district": {"title": "Calls per period and district", "columns": ["period", *categories, "total"],
                              "rows": calls, **common},
        "outcomes": {"title": "Located calls per period by outcome", "titles": titles,
                     "columns": ["period", *OUTCOME_GROUPS, OTHER_GROUP, "total", *RATE_KEYS],
                     "rows": outcome_table, **common},
        "series": [{"period": calls[i]["period"], "calls": calls[i]["total"], **outcome_table[i]} for i in single],
    }

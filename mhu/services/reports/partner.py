"""The partner report: the command report's shape for community partners and funders, built only
from the publication grid (mhu.services.metrics.partner), never from the identified metrics.

Every count it prints is a cell of a year's suppressed grid, and every rate one whose numerator and
denominator are printed cells, so the report publishes nothing the partner tables do not: hidden
cells print as "<threshold", there are no differences of counts (a change of 3 calls would be a
small count) and no "9 in 10" phrases; comparisons show the other period's own cells. No names,
no person rows, nothing finer than a month or a configured district, no drill-down. The tables by
SIM intercept, race/ethnicity, sex and age band are the partner tables of
mhu.services.metrics.demographics, suppressed jointly with the district table. Follow-up timeliness
and repeat contacts are left out: they are rates of counts (follow-ups due, persons) that are not
cells of any grid, so no suppression protects them.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from mhu.extensions import db
from mhu.models import Agency
from mhu.services import agency_settings, stories
from mhu.services.localtime import agency_today
from mhu.services.metrics import demographics, registry
from mhu.services.metrics import partner as grid_tables
from mhu.services.reports import formatting as fmt
from mhu.services.reports.periods import Period

GROUP_KEYS = (*grid_tables.OUTCOME_GROUPS, grid_tables.OTHER_GROUP)
RATE_KEYS = grid_tables.RATE_KEYS
# Rate -> (numerator as a function of an outcome row, denominator column).
RATE_PARTS = {
    "jail_diversion_rate": lambda row: _minus(row["total"], row["calls_arrest_or_citation"]),
    "resolved_in_community": lambda row: row["calls_resolved_in_community"],
    "ed_use": lambda row: _plus(row["calls_to_hospital"], row["calls_emergency_detention"]),
}
# Outcome groups in the colours of the outcome classes they belong to (mhu.services.outcomes,
# Okabe & Ito); the split of "emergency department or detention" takes the palette's yellow.
GROUP_COLOURS = {
    "calls_resolved_in_community": "#009E73",
    "calls_to_hospital": "#E69F00",
    "calls_emergency_detention": "#F0E442",
    "calls_arrest_or_citation": "#D55E00",
    grid_tables.OTHER_GROUP: "#7F7F7F",
}


def _minus(a, b):
    return None if a is None or b is None else a - b


def _plus(a, b):
    return None if a is None or b is None else a + b


def grid_key(period: Period) -> tuple[int, str]:
    """The grid cell (year, period) of a whole month, quarter or year."""
    year = period.first.year
    if period.kind == "month":
        return year, f"M{period.first.month:02d}"
    if period.kind == "quarter":
        return year, f"Q{(period.first.month - 1) // 3 + 1}"
    return year, "Y"


def count_text(value: int | None, threshold: int) -> str:
    """A published count, or "<11" (the threshold) for a hidden one."""
    return f"<{threshold}" if value is None else f"{value:,}"


def _measures(calls: dict, outcome: dict, threshold: int) -> dict:
    """The printed measures of one grid period: counts and rates, hidden parts as None."""
    result = {"call_volume": calls["total"], "located_calls": outcome["total"],
              **{key: outcome[key] for key in GROUP_KEYS}}
    for key, numerator in RATE_PARTS.items():
        result[key] = {"numerator": numerator(outcome), "denominator": outcome["total"], "value": outcome[key]}
    return result


def _rate_text(rate: dict) -> str:
    """The rate in percent; "–" without located calls (nothing to count), "suppressed" when hidden."""
    if rate["value"] is None:
        return fmt.NO_VALUE if rate["denominator"] == 0 else "suppressed"
    return fmt.percent(rate["value"])


def _rate_counts(rate: dict, threshold: int) -> str:
    if rate["value"] is None:
        return ""
    return f"{rate['numerator']:,} / {rate['denominator']:,}"


def _kpi_rows(current: dict, previous: dict, year_ago: dict, threshold: int) -> list[dict]:
    titles = {"call_volume": registry.metric("call_volume").title, "located_calls": grid_tables.GROUP_TITLES["total"],
              **grid_tables.GROUP_TITLES, **{key: registry.metric(key).title for key in RATE_KEYS}}
    definitions = {
        "call_volume": registry.metric("call_volume").describe(None),
        "located_calls": "Calls where the team reached the person (every call but unable to locate and cancelled "
                         "before arrival); the base of every rate.",
        **{key: registry.metric(key).describe(None) for key in RATE_KEYS},
    }
    cells = {"call_volume": "districts|total", "located_calls": "outcomes|total",
             **{key: f"outcomes|{key}" for key in GROUP_KEYS}}
    rows = []
    for key in ("call_volume", "located_calls", *GROUP_KEYS, *RATE_KEYS):
        rate = key in RATE_KEYS
        text = _rate_text if rate else (lambda value: count_text(value, threshold))
        rows.append({"key": key, "title": titles[key], "definition": definitions.get(key, ""), "rate": rate,
                     "cell": cells.get(key), "previous": previous[key], "year_ago": year_ago[key],
                     "value": current[key], "value_text": text(current[key]),
                     "counts_text": _rate_counts(current[key], threshold) if rate else "",
                     "previous_text": text(previous[key]), "year_ago_text": text(year_ago[key])})
    return rows


def _period_measures(agency_id: int, period: Period, threshold: int) -> dict:
    cell = [grid_key(period)]
    _, calls = grid_tables.district_rows(agency_id, cell)
    outcome = grid_tables.outcome_rows(agency_id, cell)
    return _measures(calls[0], outcome[0], threshold)


def _trend(agency_id: int, period: Period, threshold: int) -> dict:
    """The 13 months ending with the period's last month, each a month cell of its year's grid."""
    first = period.last.replace(day=1) - relativedelta(months=12)
    months = [first + relativedelta(months=i) for i in range(13)]
    cells = [(month.year, f"M{month.month:02d}") for month in months]
    _, calls = grid_tables.district_rows(agency_id, cells)
    outcome = grid_tables.outcome_rows(agency_id, cells)
    rows = []
    for month, calls_row, outcome_row in zip(months, calls, outcome):
        measures = _measures(calls_row, outcome_row, threshold)
        rows.append({"period": f"{month:%Y-%m}", "label": f"{month:%b %Y}", **measures,
                     "calls_text": count_text(measures["call_volume"], threshold),
                     "located_text": count_text(measures["located_calls"], threshold),
                     **{f"{key}_text": _rate_text(measures[key]) for key in RATE_KEYS}})
    return {"first": months[0].isoformat(), "last": period.last.isoformat(), "months": rows}


def headlines(report: dict) -> list[str]:
    """Plain statements from published cells only; a hidden number is said to be hidden."""
    current, threshold, label = report["current"], report["threshold"], report["period"]["label"]
    volume = current["call_volume"]
    if volume is None:
        lines = [f"Fewer than {threshold} crisis calls in {label} (the exact count is suppressed)."]
    else:
        lines = [f"{volume:,} crisis {'call' if volume == 1 else 'calls'} in {label}."]
    statements = (
        ("jail_diversion_rate", "ended without arrest or citation"),
        ("resolved_in_community", "were resolved in the community"),
        ("ed_use", "ended at an emergency department or in an emergency detention"),
    )
    for key, words in statements:
        rate = current[key]
        if rate["value"] is not None:
            lines.append(f"{fmt.percent(rate['value'])} of located calls {words} "
                         f"({rate['numerator']:,} of {rate['denominator']:,}).")
    return lines


def partner_report(*, agency_id: int, period: Period, now: datetime | None = None) -> dict:
    """Everything the partner report prints, from the publication grid only."""
    agency = db.session.get(Agency, agency_id)
    threshold = agency_settings.suppression_threshold(agency_id)
    cells = grid_tables.publication_cells(period.first, period.last)
    districts, district_table = grid_tables.district_rows(agency_id, cells)
    outcome_table = grid_tables.outcome_rows(agency_id, cells)
    current = _measures(district_table[-1], outcome_table[-1], threshold)  # the period's own row comes last
    previous = _period_measures(agency_id, period.previous(), threshold)
    year_ago = _period_measures(agency_id, period.year_before(), threshold)
    titles = {**grid_tables.GROUP_TITLES, **{key: registry.metric(key).title for key in RATE_KEYS}}
    # Calls by SIM intercept, race/ethnicity, sex and age band: the partner tables, suppressed
    # jointly with the district table, for the same rows (the period's months, quarters, itself).
    joined = demographics.partner_demographics(agency_id, period)["tables"]
    report = {
        "kind": "partner",
        "agency": agency.name,
        "threshold": threshold,
        "period": {"key": period.key, "label": period.label, "kind": period.kind,
                   "first": period.first.isoformat(), "last": period.last.isoformat()},
        "partial": period.last >= agency_today(agency_id),
        "compared_with": {"previous": period.previous().label, "year_ago": period.year_before().label,
                          "previous_key": period.previous().key, "year_ago_key": period.year_before().key},
        "generated_at": grid_tables.generated_at(now),
        "current": current,
        "kpis": _kpi_rows(current, previous, year_ago, threshold),
        "districts": {"columns": [*districts, "total"], "rows": district_table},
        "outcomes": {"columns": [*GROUP_KEYS, "total"], "rates": list(RATE_KEYS), "titles": titles,
                     "rows": outcome_table, "colours": GROUP_COLOURS},
        "cells": [{"year": year, "period": grid_period, "label": row["period"]}
                  for (year, grid_period), row in zip(cells, district_table)],
        "intercepts": joined["sim_intercept"],
        "demographics": {name: joined[name] for name in demographics.DEMOGRAPHIC_DIMENSIONS},
        # The command report's stories: approved ones of the period, summary and month only.
        "stories": stories.approved_stories(agency_id=agency_id, date_from=period.first, date_to=period.last),
        "trend": _trend(agency_id, period, threshold),
        "suppression_rule": grid_tables.suppression_rule(threshold),
        "definitions": [{"title": registry.metric(key).title, "definition": registry.metric(key).describe(None)}
                        for key in ("call_volume", *RATE_KEYS)],
    }
    report["headlines"] = headlines(report)
    return report

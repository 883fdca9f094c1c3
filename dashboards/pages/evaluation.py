"""Evaluation: who the unit could have served and did not (the eligibility funnel, reasons and
coverage gaps), before/after and unit vs patrol-only comparisons, what it avoided, hand-off times.

Supervisors only (dashboards.site): it reads every call of the agency, patrol-only ones included.
The definitions are in docs/evaluation.md; every number comes from mhu.services.evaluation.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards import evaluation_figures as figures
from dashboards.components import chart_card, drill_links, format_count
from dashboards.filters import query_string
from dashboards.frame import register_page
from mhu.enums import NOT_TAKEN_REASONS, label
from mhu.services import audit, evaluation, metrics

DRILL_STAGES = (*evaluation.STAGES, "not_taken")


def _percent(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _points(value) -> str:
    return "–" if value is None else f"{value * 100:+.1f} pp"


def _money(value) -> str:
    return "not set" if value is None else f"{value:,.0f}"


def _number(value, digits=1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _filters(view) -> metrics.MetricFilters:
    """The whole agency over the view's period and district (the team filter does not apply)."""
    f = view.filters
    return metrics.MetricFilters(agency_id=f.agency_id, date_from=f.date_from, date_to=f.date_to, district=f.district)


def _href(view, **extra) -> str:
    return view.declaration.href + query_string(view.values) + "&" + urlencode(extra)


def _section(title: str, *children, section_id: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(title, className="h5"), *children]), className="mb-3", id=section_id)


def _table(caption: str, headings: list[str], rows: list[list], table_id: str) -> html.Div:
    return html.Div(html.Table([
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in headings])),
        html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
    ], className="table table-sm table-striped mb-0", id=table_id), className="table-responsive")


def funnel_cards(view, filters) -> list:
    result = evaluation.funnel(filters=filters)
    if not result["configured"]:
        return [dbc.Alert("No eligibility rules are configured, so the funnel cannot be drawn. An administrator sets "
                          "them under Administration → Agency settings (docs/evaluation.md).", color="info",
                          className="empty-notice")]
    stages, reasons = result["stages"], result["reasons"]
    gaps = evaluation.coverage_gaps(filters=filters)
    stage_links = drill_links("List the calls", [(s["title"], s["count"], _href(view, stage=s["stage"])) for s in stages])
    reason_links = drill_links("List the calls", [
        (label(r["reason"]), r["count"], _href(view, stage="not_taken", reason=r["reason"])) for r in reasons])
    return [
        chart_card(chart_id="eval-funnel", title="Eligibility funnel",
                   definition="Calls in scope of the eligibility rules → received in service hours → unit requested "
                              "→ unit responded (each stage within the one before). "
                              f"Out of scope: {format_count(result['out_of_scope'])} calls "
                              f"({format_count(result['excluded_by_risk_flag'])} excluded by a risk flag); the unit also "
                              f"took {format_count(result['responded_outside_hours'])} in-scope calls outside service "
                              "hours.",
                   figure=figures.funnel(stages), rows=stages, empty=result["calls"] == 0,
                   columns=[("title", "Stage"), ("count", "Calls"), ("share_of_in_scope", "Share of in scope")],
                   drill=stage_links),
        chart_card(chart_id="eval-reasons", title="Why in-scope calls were not taken",
                   definition="Each in-scope call the unit did not take, by the reason recorded by the officer or "
                              "dispatcher, else derived: outside service hours, or not requested.",
                   figure=figures.reasons(reasons), rows=[{**r, "reason": label(r["reason"])} for r in reasons],
                   empty=result["not_taken"] == 0, empty_text="The unit took every in-scope call in this period.",
                   columns=[("reason", "Reason"), ("count", "Calls")], drill=reason_links),
        chart_card(chart_id="eval-gaps", title="Coverage gaps by hour and weekday",
                   definition="In-scope calls the unit did not take, by the local weekday and hour they were received: "
                              "where a second shift or team would matter.",
                   figure=figures.gap_heatmap(gaps["hour_weekday"]), rows=gaps["hour_weekday"],
                   columns=[("weekday", "Weekday (0 = Mon)"), ("hour", "Hour"), ("count", "Calls not taken")],
                   empty_text="No in-scope call went untaken in this period."),
        chart_card(chart_id="eval-gap-districts", title="Coverage gaps by district",
                   definition="In-scope calls the unit did not take, per district, most first.",
                   figure=figures.gap_districts(gaps["district"]), rows=gaps["district"],
                   columns=[("district", "District"), ("count", "Calls not taken")],
                   empty_text="No in-scope call went untaken in this period."),
    ]


def _difference(row) -> str:
    d = row["difference"]
    if d is None:
        return "– (a group is empty)"
    return f"{_points(d['difference'])} (95% CI {_points(d['low'])} to {_points(d['high'])})"


def _rate(r) -> str:
    return f"{_percent(r['value'])} ({r['numerator']}/{r['denominator']})"


def comparison_section(filters, days: int) -> dbc.Card:
    like = evaluation.like_with_like(filters=filters)
    before_after = evaluation.before_after(agency_id=filters.agency_id, days=days, district=filters.district)
    children = [
        html.P(like["caveat"], className="alert alert-warning caveat", role="note"),
        html.P(f"Population: {like['population']}. Interval: {like['method']}.", className="small text-muted"),
        _table(f"Unit-attended vs patrol-only calls, {filters.date_from} to {filters.date_to}: "
               f"{like['groups']['unit']} unit, {like['groups']['patrol_only']} patrol-only calls",
               ["Metric", "Unit", "Patrol-only", "Difference (unit − patrol)"],
               [[row["title"], _rate(row["unit"]), _rate(row["patrol_only"]), _difference(row)]
                for row in like["metrics"]], "eval-like-table"),
    ]
    if before_after["configured"]:
        b, a = before_after["before"], before_after["after"]
        children.append(_table(
            f"Before and after the program start ({before_after['program_start']}), {days} days each: "
            f"{b['from']}–{b['to']} ({b['calls']} calls) vs {a['from']}–{a['to']} ({a['calls']} calls)",
            ["Metric", "Before", "After", "Difference (after − before)"],
            [[row["title"], _rate(row["before"]), _rate(row["after"]), _difference(row)]
             for row in before_after["metrics"]], "eval-before-after-table"))
    else:
        children.append(html.P("No team has a program start date, so there is no before/after comparison. An "
                               "administrator sets it on the team.", className="alert alert-info empty-notice"))
    return _section("Before and after, and like with like", *children, section_id="eval-compare")


def _arithmetic(line: dict) -> str:
    base = line["baseline"]
    words = {"jail_bookings": "bookings", "ed_visits": "ED visits", "ems_transports": "EMS transports"}[line["event"]]
    if base is None:
        counted = f"{line['basis']} calls; no patrol-only baseline in this period"
    else:
        counted = (f"{line['basis']} calls × {_percent(base['value'])} ({base['numerator']}/{base['denominator']} "
                   f"patrol-only) = {_number(line['central'])} {words}")
    counted += f" (low {_number(line['low'])}, high {_number(line['high'])})"
    parts = " + ".join(f"{p['name']} {_money(p['amount'])}" for p in line["cost_parts"] if p["amount"] is not None)
    missing = ", ".join(p["name"] for p in line["cost_parts"] if p["amount"] is None)
    left_out = f"; left out, cost not set: {missing}" if missing else ""
    if line["cost"] is None:
        return f"{counted}; no unit cost is set for it, so this line is not costed."
    cost = line["cost"]
    return (f"{counted} × {_money(line['unit_cost'])} per event ({parts}{left_out}) = {_money(cost['central'])} "
            f"(low {_money(cost['low'])}, high {_money(cost['high'])})")


def savings_section(filters) -> dbc.Card:
    result = evaluation.avoided(filters=filters)
    costs = result["unit_costs"]
    lines = [html.Li([html.Strong(label(line["event"]) + ": "), _arithmetic(line),
                      html.Br(), html.Span(line["rule"], className="small text-muted")]) for line in result["lines"]]
    total = result["total_cost"]
    cost_rows = [[label(key), _money(entry["amount"]) if entry else "not set", entry["source"] if entry else "–"]
                 for key, entry in costs.items()]
    return _section(
        "What it saved",
        html.Ul(lines, id="eval-savings-lines"),
        html.P(f"Total of the costed lines: {_money(total['central'])} (low {_money(total['low'])}, "
               f"high {_money(total['high'])}).", id="eval-savings-total"),
        _table("Unit costs (set by an administrator, with their sources)", ["Cost", "Amount", "Source"], cost_rows,
               "eval-costs-table"),
        section_id="eval-savings")


def handoff_card(filters):
    result = evaluation.handoff_times(filters=filters)
    rows = [{**r, "median_minutes": round(r["median_minutes"], 1), "p90_minutes": round(r["p90_minutes"], 1)}
            for r in result["facilities"]]
    overall = result["overall"]
    return chart_card(chart_id="eval-handoff", title="Hand-off time at EDs and crisis facilities",
                      definition="Median and 90th percentile of release − arrival at the facility, over the unit's "
                                 f"calls with both times. All facilities: median {_number(overall['median_minutes'])} "
                                 f"min, 90th percentile {_number(overall['p90_minutes'])} min "
                                 f"({format_count(overall['calls'])} calls).",
                      figure=figures.handoff(rows), rows=rows,
                      columns=[("facility", "Facility"), ("calls", "Calls"), ("median_minutes", "Median (min)"),
                               ("p90_minutes", "90th percentile (min)")],
                      empty_text="No call in this period recorded an arrival at and release from a facility.")


def drill_list(view, filters) -> dbc.Card | None:
    stage, reason = view.query.get("stage"), view.query.get("reason")
    if stage is None:
        return None
    if stage not in DRILL_STAGES or (reason is not None and reason not in NOT_TAKEN_REASONS):
        view.messages.append(f"stage={stage} reason={reason} is invalid, so no calls are listed.")
        return None
    result = evaluation.funnel_calls(filters=filters, stage=stage, reason=reason)
    audit.record(action="call.list", actor=view.user, object_type="call", object_id=None, commit=True)
    caption = f"Calls at stage {label(stage)}" + (f", reason {label(reason)}" if reason else "")
    rows = [[dcc.Link(row["incident_number"] or str(row["id"])[:8], href=f"/field/calls/{row['id']}", target="_blank"),
             str(row["local_date"]), f"{row['local_hour']:02d}:00", row["district"] or "–", label(row["nature"]),
             row["call_type"] or "–", label(row["responder_type"]), label(row["reason"]) if row["reason"] else "–",
             row["rule"]] for row in result["calls"]]
    return _section(f"{caption}: {format_count(result['total'])} calls",
                    _table(caption, ["Incident", "Local date", "Hour", "District", "Nature", "Call type", "Responder",
                                     "Reason not taken", "Scope rule"], rows, "eval-drill-table"),
                    section_id="eval-drill")


@register_page("evaluation")
def layout(view):
    """The evaluation page for the view's period (and district)."""
    filters = _filters(view)
    days = min(max(filters.days, 7), 730)
    return view.skeleton(
        "Who the unit could have served and did not, how outcomes compare, what it avoided, and hand-off times. "
        "Counts cover every call of the agency, patrol-only calls included: the period and district filters "
        "apply, the team, call source and intercept filters do not.",
        drill_list(view, filters),
        *funnel_cards(view, filters),
        comparison_section(filters, days),
        savings_section(filters),
        handoff_card(filters),
    )

"""The filter bar shared by every page; its state lives in the URL query string.

Query keys are the API's: from, to, team_id, district, call_source, sim_intercept. A page's layout
receives them as keyword arguments (Dash pages), parses them here, and renders the bar with the
same values, so a bookmarked URL reproduces the view.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import g

from mhu import enums
from mhu.services import metrics

from dashboards.access import require_any_dashboard

KEYS = ("from", "to", "team_id", "district", "call_source", "sim_intercept")


def _options(user) -> dict:
    """metrics.filter_options, read once per request (the URL check and the bar both need it)."""
    if "mhu_filter_options" not in g:
        g.mhu_filter_options = metrics.filter_options(actor=user)
    return g.mhu_filter_options


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def parse(user, query: dict) -> tuple[metrics.MetricFilters, dict, list[str]]:
    """Scoped filters for the query, the values to show in the bar, and notes on the URL's input.

    A value the URL asked for is never dropped silently: an invalid one is ignored with a note
    saying so ("team_id=abc is invalid"), and a valid one that matches nothing is applied and
    shown with a note ("district=Nowhere matches nothing").
    """
    notes = []
    first, last = _date(query.get("from")), _date(query.get("to"))
    for key, parsed in (("from", first), ("to", last)):
        if query.get(key) and parsed is None:
            notes.append(f"{key}={query[key]} is invalid (not a YYYY-MM-DD date), so it was ignored.")
    if first and last and first > last:
        notes.append("The start date was after the end date; they were swapped.")
        first, last = last, first
    first, last = metrics.default_period(agency_id=user.agency_id, date_from=first, date_to=last)
    options = _options(user)
    team_id = _choice(query, "team_id", _int(query.get("team_id")), "a team number", notes)
    if team_id is not None and team_id not in {team for team, _ in options["teams"]}:
        notes.append(f"team_id={team_id} matches none of the teams you can see, so nothing is shown.")
    source = _choice(query, "call_source", query.get("call_source") if query.get("call_source") in enums.CALL_SOURCES
                     else None, "a call source", notes)
    intercept = _int(query.get("sim_intercept"))
    intercept = _choice(query, "sim_intercept", intercept if intercept in enums.SIM_INTERCEPTS else None,
                        "a SIM intercept (0-5)", notes)
    district = query.get("district") or None
    if district is not None and district not in options["districts"]:
        notes.append(f"district={district} matches nothing: no call of your agency is in that district.")
    values = {"from": first.isoformat(), "to": last.isoformat(), "team_id": team_id, "district": district,
              "call_source": source, "sim_intercept": intercept}
    filters = metrics.scoped_filters(
        actor=user, date_from=first, date_to=last, team_id=team_id, district=district,
        call_source=source, sim_intercept=intercept,
    )
    return filters, values, notes


def _choice(query: dict, key: str, parsed, kind: str, notes: list[str]):
    """`parsed`, or None with a note when the URL gave `key` a value that is not `kind`."""
    raw = query.get(key)
    if raw not in (None, "") and parsed is None:
        notes.append(f"{key}={raw} is invalid (not {kind}), so it was ignored.")
    return parsed


def query_string(values: dict) -> str:
    """The URL query for the bar's values (empty ones left out)."""
    return "?" + urlencode({key: values[key] for key in KEYS if values.get(key) not in (None, "")})


def preset_links(values: dict, *, href: str, today) -> html.Nav:
    """Links to the named periods (metrics.PRESETS), keeping the other filters; plain links, so a
    preset view is bookmarkable like any other."""
    links = []
    for key, name in metrics.PRESETS:
        first, last = metrics.preset_period(key, today=today)
        current = values["from"] == first.isoformat() and values["to"] == last.isoformat()
        target = href + query_string({**values, "from": first.isoformat(), "to": last.isoformat()})
        links.append(dcc.Link([name, html.Span(" (current)", className="visually-hidden") if current else None],
                              href=target, id=f"preset-{key}",
                              className="btn btn-sm me-1 mb-1 " + ("btn-dark" if current else "btn-outline-dark")))
    return html.Nav([html.Span("Quick periods: ", className="small me-2"), *links],
                    className="presets mt-2", **{"aria-label": "Quick periods"})


def filter_bar(user, values: dict, *, partner: bool = False, presets: html.Nav | None = None) -> html.Div:
    """The bar: period, team, district, source and intercept (partners: period and district only)."""
    options = _options(user)
    hidden = {"display": "none"} if partner else {}
    teams = [{"label": name, "value": team_id} for team_id, name in options["teams"]]
    if values["team_id"] is not None and values["team_id"] not in {option["value"] for option in teams}:
        teams.append({"label": f"Team {values['team_id']} (matches nothing)", "value": values["team_id"]})
    districts = [{"label": d, "value": d} for d in options["districts"]]
    if values["district"] is not None and values["district"] not in options["districts"]:
        # The bar shows what the URL asked for, not "All districts".
        districts.append({"label": f"{values['district']} (matches nothing)", "value": values["district"]})

    def field(label_text, control, html_for, style=None):
        return dbc.Col([html.Label(label_text, htmlFor=html_for, className="form-label small mb-1"), control],
                       md=True, style=style or {})

    return html.Div([
        dbc.Row([
            field("Period (local dates)", dcc.DatePickerRange(
                id="f-dates", start_date=values["from"], end_date=values["to"], display_format="YYYY-MM-DD",
                start_date_id="f-dates-start", end_date_id="f-dates-end", minimum_nights=0,
                start_date_placeholder_text="From", end_date_placeholder_text="To"), "f-dates-start"),
            field("Team", dcc.Dropdown(
                id="f-team", value=values["team_id"], placeholder="All my teams",
                options=teams), "f-team", hidden),
            field("District", dcc.Dropdown(
                id="f-district", value=values["district"], placeholder="All districts",
                options=districts), "f-district"),
            field("Call source", dcc.Dropdown(
                id="f-source", value=values["call_source"], placeholder="All sources",
                options=[{"label": enums.label(s), "value": s} for s in enums.CALL_SOURCES]), "f-source", hidden),
            field("SIM intercept", dcc.Dropdown(
                id="f-intercept", value=values["sim_intercept"], placeholder="All intercepts",
                options=[{"label": enums.intercept_label(i), "value": i} for i in enums.SIM_INTERCEPTS]),
                "f-intercept", hidden),
        ], className="g-2 align-items-end"),
        presets,
    ], className="filter-bar border rounded p-2 mb-3 bg-light", role="search", **{"aria-label": "Filters"})


@callback(
    Output("_pages_location", "search"),
    Input("f-dates", "start_date"), Input("f-dates", "end_date"), Input("f-team", "value"),
    Input("f-district", "value"), Input("f-source", "value"), Input("f-intercept", "value"),
    prevent_initial_call=True,
)
def filters_to_url(start, end, team_id, district, source, intercept):
    """A changed filter rewrites the URL; the page then re-renders from it (and re-checks access)."""
    require_any_dashboard()
    if not (start and end):
        raise PreventUpdate
    return query_string({"from": start[:10], "to": end[:10], "team_id": team_id, "district": district,
                         "call_source": source, "sim_intercept": intercept})

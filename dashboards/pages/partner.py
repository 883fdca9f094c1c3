"""Partner view: the publication grid's suppressed tables (month, quarter, year x district or
outcome), downloadable as CSV."""

from datetime import date

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import chart_card, table
from dashboards.filters import parse
from dashboards.frame import register_page
from dashboards.survey_tables import partner_card
from mhu import enums
from mhu.services import ServiceError, agency_settings
from mhu.services.metrics import partner as metrics_partner
from mhu.services.metrics import suppression


def _tables(user, query: dict) -> tuple[dict, dict, dict, list[str]]:
    """Both tables for the filter's period when it is a whole month, quarter or year, else for the
    calendar year of its end date (partners get nothing finer than the publication grid)."""
    _, values, messages = parse(user, query)
    first, last = date.fromisoformat(values["from"]), date.fromisoformat(values["to"])
    try:
        metrics_partner.publication_period(first, last)
    except ServiceError:
        first, last = date(last.year, 1, 1), date(last.year, 12, 31)
        messages = [*messages, f"Partner tables cover whole months, quarters or years: showing {last.year}."]
    values = {**values, "from": first.isoformat(), "to": last.isoformat()}
    calls = metrics_partner.calls_by_district(actor=user, date_from=first, date_to=last)
    outcomes = metrics_partner.outcomes(actor=user, date_from=first, date_to=last)
    return calls, outcomes, values, messages


def _table_card(result: dict, name: str) -> dbc.Card:
    titles = {"period": "Period", **result.get("titles", {})}
    columns = [(column, titles.get(column) or enums.label(column)) for column in result["columns"]]
    return dbc.Card(dbc.CardBody([
        html.H2(result["title"], className="h5"),
        html.Div(table(result["rows"], columns, caption=result["title"]), className="table-responsive"),
        dbc.Button("Download CSV", id=f"download-{name}", color="primary", size="sm", className="mt-2"),
    ]), className="mb-3", id=f"partner-{name}")


@register_page("partner")
def layout(view):
    """The suppressed tables of the filter's month, quarter or year (else the year of its end)."""
    calls, outcomes, values, messages = _tables(view.user, view.query)
    threshold = agency_settings.suppression_threshold(view.user.agency_id)
    monthly = [{"month": row["period"], "count": row["total"]} for row in calls["rows"] if len(row["period"]) == 7]
    shown = [row for row in monthly if row["count"] is not None]
    return view.skeleton(
        f"De-identified aggregates, {values['from']} to {values['to']}, by month, quarter and year and by configured "
        f"district. Counts from 1 to {threshold - 1} are hidden ('suppressed'), and so is any further cell that would "
        "let a hidden one be worked out from any combination of published numbers; rates are hidden when a part is "
        "hidden. " + " ".join(messages),
        chart_card(chart_id="partner-monthly", title="Calls per month (suppressed)",
                   definition="Calls per local month, voided excluded; suppressed months are left blank.",
                   figure=figures.bar(monthly, title="Calls per month", x_title="Month", key="month"),
                   rows=monthly, columns=[("month", "Month"), ("count", "Calls")], empty=not shown),
        _table_card(calls, "calls_by_district"),
        _table_card(outcomes, "outcomes"),
        partner_card(view.user, date.fromisoformat(values["from"]), date.fromisoformat(values["to"])),
        dcc.Download(id="partner-download"),
        values=values,
    )


@callback(
    Output("partner-download", "data"),
    Input("download-calls_by_district", "n_clicks"), Input("download-outcomes", "n_clicks"),
    State("_pages_location", "search"),
    prevent_initial_call=True,
)
def download_csv(_calls_clicks, _outcome_clicks, search):
    """The clicked table as CSV, computed again for the current user and filters."""
    user = require_page("partner")
    if ctx.triggered_id not in ("download-calls_by_district", "download-outcomes"):
        raise PreventUpdate
    from urllib.parse import parse_qsl

    calls, outcomes, values, _ = _tables(user, dict(parse_qsl((search or "").lstrip("?"))))
    name = ctx.triggered_id.removeprefix("download-")
    result = calls if name == "calls_by_district" else outcomes
    return dcc.send_string(suppression.table_csv(result), f"mhu-{name}-{values['from']}-{values['to']}.csv",
                           type="text/csv")

"""Partner view: monthly and district aggregates with small-cell suppression, downloadable as CSV."""

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import chart_card, table
from dashboards.filters import parse
from dashboards.frame import register_page
from mhu import enums
from mhu.services import agency_settings
from mhu.services.metrics import partner as metrics_partner
from mhu.services.metrics import suppression


def _tables(user, query: dict) -> tuple[dict, dict, dict, list[str]]:
    _, values, messages = parse(user, query)
    from datetime import date

    filters = metrics_partner.partner_filters(
        actor=user, date_from=date.fromisoformat(values["from"]), date_to=date.fromisoformat(values["to"]),
        district=values["district"],
    )
    values = {**values, "from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()}
    calls = metrics_partner.calls_by_district(actor=user, filters=filters)
    outcomes = metrics_partner.outcomes(actor=user, filters=filters)
    return calls, outcomes, values, messages


def _table_card(result: dict, name: str) -> dbc.Card:
    columns = [(column, enums.label(column) if column != "month" else "Month") for column in result["columns"]]
    return dbc.Card(dbc.CardBody([
        html.H2(result["title"], className="h5"),
        html.Div(table(result["rows"], columns, caption=result["title"]), className="table-responsive"),
        dbc.Button("Download CSV", id=f"download-{name}", color="primary", size="sm", className="mt-2"),
    ]), className="mb-3", id=f"partner-{name}")


@register_page("partner")
def layout(view):
    """The suppressed tables for whole months covering the filter's period."""
    calls, outcomes, values, _ = _tables(view.user, view.query)
    threshold = agency_settings.suppression_threshold(view.user.agency_id)
    monthly = [{"month": row["month"], "count": row["total"]} for row in calls["rows"] if row["month"] != "total"]
    shown = [row for row in monthly if row["count"] is not None]
    return view.skeleton(
        f"De-identified aggregates, whole months {values['from']} to {values['to']}. Counts from 1 to {threshold - 1} "
        "are hidden ('suppressed'), and so is any further cell that would let a hidden one be worked out from a total; "
        "rates are hidden when a part is hidden.",
        chart_card(chart_id="partner-monthly", title="Calls per month (suppressed)",
                   definition="Calls per local month, voided excluded; suppressed months are left blank.",
                   figure=figures.bar(monthly, title="Calls per month", x_title="Month", key="month"),
                   rows=monthly, columns=[("month", "Month"), ("count", "Calls")], empty=not shown),
        _table_card(calls, "calls_by_district"),
        _table_card(outcomes, "outcomes"),
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

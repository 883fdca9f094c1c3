"""Partner view: the publication grid's suppressed tables by month or quarter, by district and by
outcome, with charts that show a suppressed period as a marked gap, downloadable as CSV.

Without a period in the address it shows the last twelve whole months (the current, partial month
left out). Suppressed counts read "<11" (the agency's threshold), with the rule as a tooltip and a
footnote; rates are percentages."""

from datetime import date
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboards import partner_figures
from dashboards.access import require_page
from dashboards.components import chart_card
from dashboards.filters import parse
from dashboards.frame import register_page
from dashboards.site import declaration
from dashboards.survey_tables import partner_card
from mhu import enums
from mhu.services import ServiceError
from mhu.services.metrics import partner as metrics_partner

FOOTNOTE_ID = "partner-suppression-footnote"


def _view(user, query: dict) -> tuple[dict, dict, list[str]]:
    """The partner service's view for the address: its period when both ends are given and form a
    whole month, quarter, year or twelve whole months; else the last twelve whole months."""
    _, values, messages = parse(user, query)
    granularity = query.get("granularity") if query.get("granularity") in metrics_partner.GRANULARITIES else "month"
    if query.get("granularity") not in (None, "", granularity):
        messages = [*messages, f"granularity={query['granularity']} is invalid (month or quarter), so months are shown."]
    first = last = None
    if query.get("from") and query.get("to"):
        first, last = date.fromisoformat(values["from"]), date.fromisoformat(values["to"])
    try:
        view = metrics_partner.partner_view(actor=user, date_from=first, date_to=last, granularity=granularity)
    except ServiceError:
        messages = [*messages, ("Partner tables cover a whole month, quarter or year, or twelve whole months: "
                                "showing the last twelve whole months.")]
        view = metrics_partner.partner_view(actor=user, granularity=granularity)
    values = {**values, "from": view["from"].isoformat(), "to": view["to"].isoformat()}
    return view, values, messages


def _cell(column: str, value, view: dict, row: dict) -> html.Td:
    if value is None and column in metrics_partner.RATE_KEYS and row.get("total") == 0:
        return html.Td("–", className="num", title="No located calls to count")
    if value is None:
        label = "suppressed" if column in metrics_partner.RATE_KEYS else f"<{view['threshold']}"
        return html.Td(label, className="num suppressed", title="Suppressed. " + view["rule"],
                       **{"aria-describedby": FOOTNOTE_ID})
    text = f"{100 * value:.1f} %" if column in metrics_partner.RATE_KEYS else f"{value:,}"
    return html.Td(text, className="num")


def _table(result: dict, view: dict) -> html.Table:
    titles = {"period": "Period", **result.get("titles", {})}
    columns = result["columns"]
    return html.Table([
        html.Caption(f"{result['title']}; <{view['threshold']}: suppressed (see the note below); rates in percent "
                     "of located calls."),
        html.Thead(html.Tr([html.Th(titles.get(column) or enums.label(column), scope="col") for column in columns])),
        html.Tbody([html.Tr([html.Th(row["period"], scope="row"),
                             *(_cell(column, row[column], view, row) for column in columns[1:])])
                    for row in result["rows"]]),
    ], className="table table-sm table-striped mb-0 partner-table")


def _table_card(result: dict, name: str, view: dict) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H2(result["title"], className="h5"),
        html.Div(_table(result, view), className="table-responsive"),
        dbc.Button("Download CSV", id=f"download-{name}", color="primary", size="sm", className="mt-2"),
    ]), className="mb-3", id=f"partner-{name}")


def _granularity_links(query: dict, current: str) -> html.Nav:
    """Links (bookmarkable) to the same view by month or by quarter."""
    href = declaration("partner").href
    links = []
    for key, name in (("month", "By month"), ("quarter", "By quarter")):
        active = key == current
        links.append(dcc.Link([name, html.Span(" (current)", className="visually-hidden") if active else None],
                              href=f"{href}?{urlencode({**query, 'granularity': key})}", id=f"granularity-{key}",
                              className="btn btn-sm me-1 " + ("btn-dark" if active else "btn-outline-dark")))
    return html.Nav([html.Span("Show: ", className="small me-2"), *links], className="mb-3",
                    **{"aria-label": "Granularity"})


@register_page("partner")
def layout(view):
    """Calls and outcomes by month or quarter (default: the last twelve whole months)."""
    result, values, messages = _view(view.user, view.query)
    threshold, unit = result["threshold"], result["granularity"]
    series = result["series"]
    published = [row for row in series if row["calls"] is not None]
    located = [row for row in series if row["total"]]
    titles = result["outcomes"]["titles"]
    counts = [(row["period"], row["calls"]) for row in series]
    return view.skeleton(
        (f"De-identified aggregates, {values['from']} to {values['to']}, by {unit} and by configured district. "
         f"Counts below {threshold} show as <{threshold}; see the note on suppression below the tables. "
         + " ".join(messages)),
        _granularity_links({key: value for key, value in view.query.items() if key != "granularity"}, unit),
        chart_card(chart_id="partner-monthly", title=f"Calls per {unit}",
                   definition=f"Calls per local {unit}, voided excluded. A cross marked <{threshold} is a suppressed "
                              f"{unit}: a gap, not zero.",
                   figure=partner_figures.calls_with_gaps(series, threshold=threshold, unit=unit),
                   rows=[{"period": period, "calls": f"<{threshold}" if count is None else count}
                         for period, count in counts],
                   columns=[("period", unit.capitalize()), ("calls", "Calls")], empty=not published),
        chart_card(chart_id="partner-outcomes", title=f"Outcome of located calls per {unit}",
                   definition="Located calls by outcome group, in percent of the period's located calls. Hatched "
                              "grey: the groups suppressed in that period, together; a cross: the period's located "
                              "calls are suppressed.",
                   figure=partner_figures.outcome_shares(series, threshold=threshold, titles=titles, unit=unit),
                   rows=[{"period": row["period"], **{key: (f"<{threshold}" if row[key] is None else row[key])
                                                      for key in ("total", *metrics_partner.OUTCOME_GROUPS,
                                                                  metrics_partner.OTHER_GROUP)}} for row in series],
                   columns=[("period", unit.capitalize()), ("total", "Located calls"),
                            *((key, titles[key]) for key in (*metrics_partner.OUTCOME_GROUPS,
                                                             metrics_partner.OTHER_GROUP))],
                   empty=not located),
        _table_card(result["calls_by_district"], "calls_by_district", result),
        _table_card(result["outcomes"], "outcomes", result),
        partner_card(view.user, date.fromisoformat(values["from"]), date.fromisoformat(values["to"])),
        html.P([html.Strong(f"<{threshold}: suppressed. "), result["rule"],
                (" Every number comes from the agency's publication grid (whole months, quarters and years; "
                 "configured districts), suppressed as a whole.")],
               id=FOOTNOTE_ID, className="small partner-footnote"),
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
    """The clicked table as CSV (header block, then the API's columns), computed again for the user."""
    user = require_page("partner")
    if ctx.triggered_id not in ("download-calls_by_district", "download-outcomes"):
        raise PreventUpdate
    result, values, _ = _view(user, dict(parse_qsl((search or "").lstrip("?"))))
    name = ctx.triggered_id.removeprefix("download-")
    return dcc.send_string(metrics_partner.table_csv(actor=user, result=result[name]),
                           f"mhu-{name}-{values['from']}-{values['to']}.csv", type="text/csv")

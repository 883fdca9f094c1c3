"""Building blocks of every page: KPI cards, chart cards with a table fallback, empty notices."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards import export
from mhu.services import metrics

GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def format_rate(rate: dict | None) -> str:
    """A rate as shown on a card: one decimal percent, or an en dash when undefined."""
    if not rate or rate.get("value") is None:
        return "–"
    return f"{100 * rate['value']:.1f}%"


def format_seconds(seconds: float | None) -> str:
    """Minutes with one decimal, or an en dash."""
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def format_count(count: int | None) -> str:
    return "–" if count is None else f"{count:,}"


def trend_line(trend: dict | None) -> tuple[str, str]:
    """The one trend rule of every card: text and a CSS class from a metrics.trends() entry.

    The change is rounded as displayed (0.1 pp, 0.1 min, whole counts) before it is judged, so a
    change that shows as 0.0 is "no change", never green or red. Direction is carried by an arrow
    and a sign, and the words "better"/"worse", not by colour alone.
    """
    if not trend or trend["current"] is None or trend["previous"] is None:
        return "No previous period to compare", "trend-neutral"
    current, previous, unit = trend["current"], trend["previous"], trend["unit"]
    if unit == "rate":
        delta, amount = round(100 * (current - previous), 1), lambda d: f"{abs(d):.1f} pp"
    elif unit == "duration":
        delta, amount = round((current - previous) / 60, 1), lambda d: f"{abs(d):.1f} min"
    else:
        delta, amount = current - previous, lambda d: f"{abs(d):,}"
    span = f"vs previous {trend['days']} days" + (" (complete days only)" if trend["partial"] else "")
    if delta == 0:
        return f"= no change ({amount(0)}) {span}", "trend-neutral"
    arrow, sign = ("▲", "+") if delta > 0 else ("▼", "−")
    text = f"{arrow} {sign}{amount(delta)} {span}"
    if not trend["better"]:
        return text, "trend-neutral"
    better = (delta > 0) == (trend["better"] == "up")
    return f"{text}, {'better' if better else 'worse'}", "trend-better" if better else "trend-worse"


def kpi_card(*, metric: str, title: str, value_text: str, definition: str, hover: str,
             trend: tuple[str, str] | None = None, spark=None, data: dict | None = None,
             drill: str | None = None) -> dbc.Col:
    """A headline number; the numerator and denominator are in the hover title and data attributes."""
    body = [
        html.H2(title, className="h6 card-title mb-1"),
        html.P(value_text, className="kpi-value display-6 mb-0", id=f"kpi-{metric}"),
        html.Small(hover, className="d-block text-muted kpi-parts"),
    ]
    if trend:
        body.append(html.Small(trend[0], className=f"d-block kpi-trend {trend[1]}"))
    if spark is not None:
        body.append(html.Div(dcc.Graph(figure=spark, config={"staticPlot": True, "displayModeBar": False},
                                       className="kpi-spark", style={"height": "60px"}), className="graph-slot"))
    body.append(html.P(definition, className="small text-muted mb-0 mt-1"))
    if drill:
        body.append(dcc.Link("List these calls", href=drill, id=f"drill-{metric}", className="small drill-link"))
    attributes = {f"data-{key}": "" if value is None else str(value) for key, value in (data or {}).items()}
    # dbc.Card takes no title or data-* attributes; the wrapping Div carries them (hover text).
    return dbc.Col(
        html.Div(dbc.Card(dbc.CardBody(body), className="h-100"), title=hover, className="h-100 kpi-card",
                 id=f"card-{metric}", **attributes),
        xs=12, sm=6, lg=4, xl=3, className="mb-3",
    )


def rate_card(key: str, rate: dict, trend: dict | None = None, *, spark=None, drill: str | None = None) -> dbc.Col:
    """kpi_card for a {numerator, denominator, value} rate; title and definition come from the
    metric registry, the trend line from metrics.trends()."""
    hover = f"{rate['numerator']:,} of {rate['denominator']:,}"
    return kpi_card(metric=key, title=metrics.metric(key).title, value_text=format_rate(rate),
                    definition=metrics.describe(key), hover=hover, trend=trend_line(trend) if trend else None,
                    spark=spark, data={"numerator": rate["numerator"], "denominator": rate["denominator"]},
                    drill=drill)


def count_card(key: str, count: int, *, hover: str, trend: dict | None = None, spark=None,
               drill: str | None = None) -> dbc.Col:
    """kpi_card for a count metric of the registry."""
    return kpi_card(metric=key, title=metrics.metric(key).title, value_text=format_count(count),
                    definition=metrics.describe(key), hover=hover, trend=trend_line(trend) if trend else None,
                    spark=spark, data={"numerator": count, "denominator": ""}, drill=drill)


def table(rows: list[dict], columns: list[tuple[str, str]], *, caption: str) -> html.Table:
    """An accessible HTML table: caption, header cells with scope."""
    return html.Table([
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(heading, scope="col") for _, heading in columns])),
        html.Tbody([html.Tr([html.Td(_cell(row.get(key))) for key, _ in columns]) for row in rows]),
    ], className="table table-sm table-striped mb-0")


def _cell(value):
    if value is None:
        return "suppressed"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def chart_card(*, chart_id: str, title: str, definition: str, figure, rows: list[dict],
               columns: list[tuple[str, str]], empty: bool | None = None, empty_text: str | None = None,
               drill=None) -> dbc.Card:
    """A titled chart with its one-line definition and the same numbers as a table below it."""
    empty = (not rows) if empty is None else empty
    if empty:
        content = html.P(empty_text or "No calls match these filters in this period, so there is nothing to chart. "
                         "Widen the period or clear a filter.", className="alert alert-info mb-0 empty-notice")
        fallback = None
    else:
        # The slot exists before Dash lazy-loads the graph component: tests wait on it.
        content = html.Div(dcc.Graph(id=chart_id, figure=figure, config=GRAPH_CONFIG, className="chart"),
                           className="graph-slot")
        fallback = html.Div([
            html.Details([html.Summary("Show the data as a table"), table(rows, columns, caption=title)]),
            # The numbers read back from the figure, so the file holds exactly what is drawn.
            html.A("Download the plotted numbers (CSV)", href=export.data_url(export.figure_csv(figure)),
                   download=f"mhu-{chart_id}.csv", id=f"csv-{chart_id}",
                   className="btn btn-outline-primary btn-sm mt-2 chart-csv"),
        ], className="mt-2")
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5"),
        html.P(definition, className="small text-muted definition"),
        content,
        None if empty else drill,
        fallback,
    ]), className="mb-3")


def notes(messages: list[str]):
    return [dbc.Alert(message, color="warning", className="py-2") for message in messages]


def url_notes(messages: list[str]):
    """What the address asked for that is invalid or matches nothing, announced politely."""
    return html.Div(notes(messages), id="url-notes", role="status", **{"aria-live": "polite"})


def page(title: str, intro: str, *children) -> html.Div:
    return html.Div([html.H1(title, className="h3 mb-1"), html.P(intro, className="text-muted"), *children])


def drill_links(title: str, links: list[tuple[str, int, str | None]]) -> html.Nav | None:
    """A row of "label (count)" links to the calls behind each bar; None when there is nothing to
    link (the partner view passes no hrefs)."""
    items = [html.Li(dcc.Link(f"{name} ({count:,})", href=href, className="drill-link"), className="list-inline-item")
             for name, count, href in links if href and count]
    if not items:
        return None
    return html.Nav([html.Span(title + ": ", className="small me-1"), html.Ul(items, className="list-inline d-inline small mb-0")],
                    className="mt-2 drill-links", **{"aria-label": title})

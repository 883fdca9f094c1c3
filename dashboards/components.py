"""Building blocks of every page: KPI cards, chart cards with a table fallback, empty notices."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

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


def trend_text(current: float | None, previous: float | None, *, unit: str, better: str) -> tuple[str, str]:
    """'▲ 2.1 pp vs previous period' and a Bootstrap text colour; better is 'up', 'down' or ''."""
    if current is None or previous is None:
        return "No previous period to compare", "text-muted"
    delta = current - previous
    if abs(delta) < 1e-9:
        return "No change vs previous period", "text-muted"
    arrow = "▲" if delta > 0 else "▼"
    good = (delta > 0) == (better == "up") if better else None
    colour = "text-muted" if good is None else ("text-success" if good else "text-danger")
    amount = f"{abs(delta):,.0f}" if unit == "calls" else f"{abs(delta):.1f}"
    return f"{arrow} {amount} {unit} vs previous period", colour


def kpi_card(*, metric: str, title: str, value_text: str, definition: str, hover: str,
             trend: tuple[str, str] | None = None, spark=None, data: dict | None = None) -> dbc.Col:
    """A headline number; the numerator and denominator are in the hover title and data attributes."""
    body = [
        html.H3(title, className="h6 card-title mb-1"),
        html.P(value_text, className="kpi-value display-6 mb-0", id=f"kpi-{metric}"),
        html.Small(hover, className="d-block text-muted kpi-parts"),
    ]
    if trend:
        body.append(html.Small(trend[0], className=f"d-block {trend[1]}"))
    if spark is not None:
        body.append(html.Div(dcc.Graph(figure=spark, config={"staticPlot": True, "displayModeBar": False},
                                       className="kpi-spark", style={"height": "60px"}), className="graph-slot"))
    body.append(html.P(definition, className="small text-muted mb-0 mt-1"))
    attributes = {f"data-{key}": "" if value is None else str(value) for key, value in (data or {}).items()}
    # dbc.Card takes no title or data-* attributes; the wrapping Div carries them (hover text).
    return dbc.Col(
        html.Div(dbc.Card(dbc.CardBody(body), className="h-100"), title=hover, className="h-100 kpi-card",
                 id=f"card-{metric}", **attributes),
        xs=12, sm=6, lg=4, xl=3, className="mb-3",
    )


def rate_card(key: str, rate: dict, previous: dict | None = None, *, spark=None) -> dbc.Col:
    """kpi_card for a {numerator, denominator, value} rate; title, definition and the better
    direction come from the metric registry."""
    entry = metrics.metric(key)
    current_pct = None if rate["value"] is None else 100 * rate["value"]
    previous_pct = None if not previous or previous["value"] is None else 100 * previous["value"]
    hover = f"{rate['numerator']:,} of {rate['denominator']:,}"
    return kpi_card(metric=key, title=entry.title, value_text=format_rate(rate), definition=metrics.describe(key),
                    hover=hover, trend=trend_text(current_pct, previous_pct, unit="pp", better=entry.better),
                    spark=spark, data={"numerator": rate["numerator"], "denominator": rate["denominator"]})


def count_card(key: str, count: int, *, hover: str, trend: tuple[str, str] | None = None, spark=None) -> dbc.Col:
    """kpi_card for a count metric of the registry."""
    return kpi_card(metric=key, title=metrics.metric(key).title, value_text=format_count(count),
                    definition=metrics.describe(key), hover=hover, trend=trend, spark=spark,
                    data={"numerator": count, "denominator": ""})


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
               columns: list[tuple[str, str]], empty: bool | None = None, empty_text: str | None = None) -> dbc.Card:
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
        fallback = html.Details([html.Summary("Show the data as a table"),
                                 table(rows, columns, caption=title)], className="mt-2")
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h5"),
        html.P(definition, className="small text-muted definition"),
        content,
        fallback,
    ]), className="mb-3")


def notes(messages: list[str]):
    return [dbc.Alert(message, color="warning", className="py-2") for message in messages]


def page(title: str, intro: str, *children) -> html.Div:
    return html.Div([html.H1(title, className="h3 mb-1"), html.P(intro, className="text-muted"), *children])

"""Figures of the Evaluation page, pure functions like dashboards.figures (whose palette and
layout they share): the funnel, the reasons, the coverage-gap heatmap and hand-off times."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards.figures import PALETTE, SEQUENTIAL, WEEKDAYS, _figure, _layout
from mhu.enums import label


def funnel(stages: list[dict]) -> go.Figure:
    """Calls at each stage of the eligibility funnel, widest first."""
    fig = _figure(go.Funnel(y=[s["title"] for s in stages], x=[s["count"] for s in stages],
                            marker={"color": PALETTE[0]}, textinfo="value+percent initial"))
    return _layout(fig, "Eligibility funnel", "Calls (count)", None, height=320)


def reasons(rows: list[dict]) -> go.Figure:
    """In-scope calls the unit did not take, per reason."""
    fig = _figure(go.Bar(x=[r["count"] for r in rows], y=[label(r["reason"]) for r in rows], orientation="h",
                         marker_color=PALETTE[5]))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Why in-scope calls were not taken", "Calls (count)", "Reason", height=320)


def gap_heatmap(cells: list[dict]) -> go.Figure:
    """In-scope calls not taken, by local weekday (rows) and hour (columns)."""
    z = [[0] * 24 for _ in range(7)]
    for cell in cells:
        z[cell["weekday"]][cell["hour"]] = cell["count"]
    fig = _figure(go.Heatmap(z=z, x=list(range(24)), y=WEEKDAYS, colorscale=SEQUENTIAL,
                             colorbar={"title": {"text": "Calls"}},
                             hovertemplate="%{y} %{x}:00 — %{z} calls not taken<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "In-scope calls not taken, by hour and weekday (local time)", "Hour of day (local, 0–23)",
                   "Weekday", height=380)


def gap_districts(rows: list[dict]) -> go.Figure:
    fig = _figure(go.Bar(x=[r["count"] for r in rows], y=[r["district"] for r in rows], orientation="h",
                         marker_color=PALETTE[1]))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "In-scope calls not taken, by district", "Calls (count)", "District", height=320)


def handoff(rows: list[dict]) -> go.Figure:
    """Median and 90th percentile hand-off minutes per facility."""
    names = [r["facility"] for r in rows]
    fig = _figure([
        go.Bar(name="Median", x=names, y=[r["median_minutes"] for r in rows], marker_color=PALETTE[0]),
        go.Bar(name="90th percentile", x=names, y=[r["p90_minutes"] for r in rows], marker_color=PALETTE[1]),
    ])
    fig.update_layout(barmode="group")
    return _layout(fig, "Hand-off time at the facility", "Facility", "Minutes (arrival → release)")

"""Figures of the partner view (pure functions of the partner service's rows).

A suppressed period is a marked gap: no bar, a cross on the baseline labelled "<11" (the agency's
threshold) and a legend entry, never a zero bar. Outcome charts show shares of located calls in
the outcome groups' fixed colour-blind-safe colours; the groups hidden in a period are drawn
together as one light-grey segment, so a bar still reads as the whole period.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards.figures import PALETTE, _figure, _layout
from mhu.services.reports.partner import GROUP_COLOURS, GROUP_KEYS

GAP_COLOUR = "#000000"
REST_COLOUR = "#D9D9D9"


def gap_trace(labels: list[str], hidden: list[bool], threshold: int) -> go.Scatter | None:
    """Crosses at the baseline of suppressed periods, labelled "<threshold"."""
    x = [label for label, gap in zip(labels, hidden) if gap]
    if not x:
        return None
    return go.Scatter(x=x, y=[0] * len(x), mode="markers+text", text=[f"<{threshold}"] * len(x),
                      textposition="top center", name=f"Suppressed (<{threshold}): a gap, not zero",
                      marker={"symbol": "x", "size": 11, "color": GAP_COLOUR}, hoverinfo="text",
                      hovertext=[f"{label}: suppressed (fewer than {threshold}, or hidden to protect another count)"
                                 for label in x])


def calls_with_gaps(series: list[dict], *, threshold: int, unit: str) -> go.Figure:
    """Calls per period; suppressed periods as marked gaps."""
    labels = [row["period"] for row in series]
    fig = _figure(go.Bar(x=labels, y=[row["calls"] for row in series], name="Calls", marker_color=PALETTE[0],
                         hovertemplate="%{x}: %{y:,} calls<extra></extra>"))
    gaps = gap_trace(labels, [row["calls"] is None for row in series], threshold)
    if gaps is not None:
        fig.add_trace(gaps)
    fig.update_layout(showlegend=True)
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, f"Calls per {unit}", unit.capitalize() + " (local)", "Calls (count)")


def outcome_shares(series: list[dict], *, threshold: int, titles: dict, unit: str) -> go.Figure:
    """Located calls by outcome group per period, in percent; suppressed groups as one grey segment."""
    labels = [row["period"] for row in series]

    def share(row, key):
        if row["total"] in (None, 0) or row[key] is None:
            return None
        return round(100 * row[key] / row["total"], 1)

    traces = [go.Bar(x=labels, y=[share(row, key) for row in series], name=titles[key],
                     marker_color=GROUP_COLOURS[key], hovertemplate="%{x}: %{y:.1f} %<extra>" + titles[key] + "</extra>")
              for key in GROUP_KEYS]
    rest = [None if row["total"] in (None, 0) or all(row[key] is not None for key in GROUP_KEYS)
            else round(100 - sum(share(row, key) or 0 for key in GROUP_KEYS), 1) for row in series]
    traces.append(go.Bar(x=labels, y=rest, name=f"Groups suppressed (each <{threshold})", marker_color=REST_COLOUR,
                         marker_pattern={"shape": "/", "fgcolor": "#737373", "size": 6},
                         hovertemplate="%{x}: groups suppressed<extra></extra>"))
    fig = _figure(traces)
    gaps = gap_trace(labels, [row["total"] is None for row in series], threshold)
    if gaps is not None:
        fig.add_trace(gaps)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 105], ticksuffix=" %")
    return _layout(fig, f"Outcome of located calls per {unit} (%)", unit.capitalize() + " (local)",
                   "Share of located calls (%)", height=420)

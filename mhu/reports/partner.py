"""The partner report drawn: HTML from its Jinja template, charts as static SVG, PDF by the same
headless Chromium as the command report (mhu.reports), with every network request refused.

Charts show shares (percent of located calls), never counts, so no axis tick or tooltip can print
a small number; a month whose located calls are hidden is a gap with a cross at the baseline,
named in the legend, never a zero bar.
"""

from __future__ import annotations

import plotly.graph_objects as go
from flask import render_template

from mhu.reports import CSS, header_footer, print_pdf
from mhu.reports.svg import figure_svg
from mhu.services.reports.partner import GROUP_KEYS, RATE_KEYS

GAP_COLOUR = "#000000"
REST_COLOUR = "#E0E0E0"


def gap_trace(labels: list[str], hidden: list[bool], threshold: int) -> go.Scatter:
    """Crosses at the baseline of the months whose numbers are suppressed."""
    x = [label for label, gap in zip(labels, hidden) if gap]
    return go.Scatter(x=x, y=[0] * len(x), mode="markers", name=f"Month suppressed (<{threshold})",
                      marker={"symbol": "x", "color": GAP_COLOUR}, line={"color": GAP_COLOUR},
                      hovertext=[f"{label}: suppressed" for label in x])


def charts(report: dict) -> dict:
    """The outcome mix and the diversion rates per month, in percent of located calls."""
    months = report["trend"]["months"]
    labels = [month["label"] for month in months]
    titles, colours = report["outcomes"]["titles"], report["outcomes"]["colours"]
    hidden = [month["located_calls"] is None for month in months]
    mix = go.Figure([
        go.Bar(x=labels, name=titles[key], marker_color=colours[key],
               y=[None if month["located_calls"] in (None, 0) or month[key] is None
                  else round(100 * month[key] / month["located_calls"], 1) for month in months])
        for key in GROUP_KEYS
    ])
    # What the published groups leave of a published month: the suppressed groups together, drawn so a
    # bar still reads as the whole month, with no number in its tooltip.
    shown = [sum(bar.y[i] or 0 for bar in mix.data) for i in range(len(months))]
    rest = [None if month["located_calls"] in (None, 0) or all(month[key] is not None for key in GROUP_KEYS)
            else round(100 - shown[i], 1) for i, month in enumerate(months)]
    mix.add_trace(go.Bar(x=labels, y=rest, name=f"Suppressed groups (each <{report['threshold']})",
                         marker_color=REST_COLOUR, hovertext=[f"{label}: suppressed groups" for label in labels]))
    mix.add_trace(gap_trace(labels, hidden, report["threshold"]))
    mix.update_layout(barmode="stack", title={"text": "Outcome of located calls per month (%)"},
                      xaxis_title="Month (local)", yaxis_title="Share of located calls (%)")
    rates = go.Figure([
        go.Scatter(x=labels, name=titles[key], mode="lines+markers",
                   y=[None if month[key]["value"] is None else round(100 * month[key]["value"], 1) for month in months],
                   line={"color": ("#009E73", "#0072B2", "#D55E00")[i]})
        for i, key in enumerate(RATE_KEYS)
    ])
    rates.add_trace(gap_trace(labels, hidden, report["threshold"]))
    rates.update_layout(title={"text": "Diversion and outcome rates per month (%)"}, xaxis_title="Month (local)",
                        yaxis_title="Share of located calls (%)")
    return {"mix": figure_svg(mix, percent=True, height=300), "rates": figure_svg(rates, percent=True, height=290)}


def render_html(report: dict, *, inline_css: bool = False) -> str:
    """The partner report as an HTML page; inline_css for printing (no stylesheet request)."""
    return render_template("reports/partner.html", report=report, charts=charts(report),
                           inline_css=CSS.read_text() if inline_css else None)


def render_pdf(report: dict, *, paper: str = "a4", screenshot: str | None = None) -> bytes:
    """The partner report printed to PDF (A4 or US Letter); `screenshot`: also its first page as PNG."""
    header, footer = header_footer(
        report, title="Partner report",
        note=f"de-identified aggregates, small counts shown as &lt;{int(report['threshold'])}")
    return print_pdf(render_html(report, inline_css=True), header=header, footer=footer, paper=paper,
                     screenshot=screenshot)

"""Reports drawn on the server: HTML from a Jinja template, charts as static SVG, PDF by Chromium.

The numbers come from mhu.services.reports; this package only draws them. The PDF is printed by
the headless Chromium the project already uses (Debian's /usr/bin/chromium through Playwright),
from the HTML in memory, with every network request refused, so a report never reaches out.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import plotly.graph_objects as go
from flask import render_template
from markupsafe import escape

from dashboards import figures
from mhu.reports.svg import figure_svg
from mhu.services.metrics import registry
from mhu.services.reports.command import TREND_RATES

CHROMIUM = os.environ.get("MHU_CHROMIUM", "/usr/bin/chromium")
CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "report.css"
PAPERS = {"a4": "A4", "letter": "Letter"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def charts(report: dict) -> dict:
    """The report's charts as SVG, from plotly figures (the dashboard's where one fits)."""
    months = report["trend"]["months"]
    volume = figures.volume_over_time([{"period": m["label"], "call_volume": m["call_volume"]} for m in months],
                                      title="Calls per month (last 13 months)")
    volume.update_xaxes(title_text="Month (local)")
    rates = go.Figure([
        go.Scatter(x=[m["label"] for m in months], name=registry.metric(key).title, mode="lines+markers",
                   y=[None if m[key]["value"] is None else round(100 * m[key]["value"], 1) for m in months],
                   line={"color": figures.PALETTE[i % len(figures.PALETTE)]})
        for i, key in enumerate((*TREND_RATES, "followup_timeliness"))
    ])
    rates.update_layout(title={"text": "Outcome rates per month (%)"}, xaxis_title="Month (local)",
                        yaxis_title="Share (%)")
    classes = go.Figure([
        go.Bar(x=[m["label"] for m in months], y=[m["outcome_classes"][outcome["key"]] for m in months],
               name=outcome["label"], marker_color=outcome["colour"])
        for outcome in report["outcome_classes"]
    ])
    classes.update_layout(barmode="stack", title={"text": "Calls per month by outcome class"},
                          xaxis_title="Month (local)", yaxis_title="Calls (count)")
    intercepts = figures.bar([{"key": row["label"], "count": row["count"]} for row in report["intercepts"]],
                             title="Calls by SIM intercept", x_title="SIM intercept")
    return {
        "volume": figure_svg(volume),
        "rates": figure_svg(rates, percent=True, height=280),
        "classes": figure_svg(classes, height=290),
        "intercepts": figure_svg(intercepts, height=230),
    }


def render_html(report: dict, *, inline_css: bool = False) -> str:
    """The report as an HTML page; inline_css for printing (no stylesheet request)."""
    return render_template("reports/command.html", report=report, charts=charts(report),
                           inline_css=CSS.read_text() if inline_css else None)


def header_footer(report: dict, *, title: str, note: str) -> tuple[str, str]:
    """Chromium's page header and footer: agency, report title and period; generation time, `note`
    (trusted markup) and page numbers, on every page."""
    agency, period = escape(report["agency"]), escape(report["period"]["label"])
    generated = escape(report["generated_at"])
    style = "font-size:8px;font-family:DejaVu Sans,Arial,sans-serif;color:#333;width:100%;padding:0 12mm;"
    header = (f'<div style="{style}display:flex;justify-content:space-between;">'
              f"<span>{agency} · {title}</span><span>{period}</span></div>")
    footer = (f'<div style="{style}display:flex;justify-content:space-between;">'
              f"<span>Generated {generated} · {note}</span>"
              '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')
    return header, footer


def render_pdf(report: dict, *, paper: str = "a4", screenshot: str | None = None) -> bytes:
    """The report printed to PDF by headless Chromium; `screenshot`: also save the first page as PNG."""
    header, footer = header_footer(report, title="Command report", note="aggregates only, no identified records")
    return print_pdf(render_html(report, inline_css=True), header=header, footer=footer, paper=paper,
                     screenshot=screenshot)


def print_pdf(html: str, *, header: str, footer: str, paper: str, screenshot: str | None) -> bytes:
    """An HTML report printed to PDF (A4 or US Letter) by headless Chromium, with no network.

    Playwright's sync API refuses to run on a thread with a running asyncio loop (an async server,
    or a test session that drives a browser itself); there it prints from a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(html, header, footer, paper, screenshot)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, html, header, footer, paper, screenshot).result()


def _print(html: str, header: str, footer: str, paper: str, screenshot: str | None) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 794, "height": 1123})
            page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
            page.set_content(html, wait_until="load")
            if screenshot:  # the first page as printed: print styles on an A4-sized viewport
                page.emulate_media(media="print")
                page.screenshot(path=screenshot, full_page=False)
                page.emulate_media(media="screen")
            return page.pdf(format=PAPERS[paper], print_background=True, display_header_footer=True,
                            header_template=header, footer_template=footer,
                            margin={"top": "18mm", "bottom": "18mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()

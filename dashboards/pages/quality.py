"""Data quality: calls missing a disposition, intercept, times or person; late clinical notes."""

import dash
from dash import html
from flask import has_request_context

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import chart_card, notes, page
from dashboards.filters import filter_bar, parse
from mhu.services import metrics

dash.register_page(__name__, path="/quality", name="Data quality", title="MHU outcomes: data quality")
CHECKS = ["missing_disposition", "missing_intercept", "missing_times", "missing_person", "late_notes"]


def layout(**query):
    """Data-quality counts for the filtered period."""
    if not has_request_context():
        return html.Div()
    user = require_page("quality")
    filters, values, messages = parse(user, query)
    quality = metrics.data_quality(filters=filters)
    rows = [{"check": check, "count": quality[check]} for check in CHECKS]
    return page(
        "Data quality", f"{quality['calls']:,} calls in the period. Fix these at the source so the rates stay honest.",
        filter_bar(user, values), *notes(messages),
        chart_card(chart_id="quality-checks", title="Calls with gaps",
                   definition="Calls missing a disposition, intercept, any of dispatch/arrival/clear time or a person; "
                              "calls with a clinical note written more than 72 h after clearing.",
                   figure=figures.bar(rows, title="Calls with gaps", x_title="Check", key="check"),
                   rows=rows, columns=[("check", "Check"), ("count", "Calls")], empty=quality["calls"] == 0),
    )

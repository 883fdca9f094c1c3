"""Overview: the headline KPIs with trend against the previous period and monthly sparklines."""

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import has_request_context

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import (
    chart_card, format_count, format_seconds, kpi_card, notes, page, rate_card, trend_text,
)
from dashboards.filters import filter_bar, parse
from mhu.services import metrics

dash.register_page(__name__, path="/", name="Overview", title="MHU outcomes: overview")

# metric, card title, better direction, definition (DESIGN.md section 5). C' = located calls.
RATE_CARDS = [
    ("jail_diversion_rate", "Jail diversion", "up", "1 − (arrests + citations) / located calls (C′)."),
    ("diversion_from_arrest", "Diversion from arrest", "up",
     "Calls with an arrestable offense not ending in arrest or citation / those calls (C′)."),
    ("resolved_in_community", "Resolved in community", "up",
     "Located calls resolved on scene, with referral, declined, handed off or voluntarily transported to crisis care / C′."),
    ("ed_use", "Emergency department use", "down", "ED transports, emergency detentions and EMS transports / C′."),
    ("emergency_detention_rate", "Emergency detention", "down", "Emergency detentions / C′."),
    ("connection_to_services", "Connection to services", "up", "Located calls with at least one referral / C′."),
    ("use_of_force_rate", "Use of force", "down", "Located calls with force of physical control or above / C′."),
    ("repeat_contact_rate", "Repeat contacts", "down",
     "Persons with a contact within 90 days after a previous one / persons contacted in the period."),
    ("followup_timeliness", "Follow-up timeliness", "up",
     "Follow-ups due in the period first attempted within 48 h of the call clearing / follow-ups due."),
]
SERIES_METRICS = {"jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
                  "emergency_detention_rate", "connection_to_services", "use_of_force_rate"}


def layout(**query):
    """KPI cards for the filtered period (data-free skeleton outside a request)."""
    if not has_request_context():
        return html.Div()
    user = require_page("overview")
    filters, values, messages = parse(user, query)
    data = metrics.overview(filters=filters)
    current, previous, series = data["current"], data["previous"], data["series"]
    volume_trend = trend_text(current["call_volume"], previous["call_volume"], unit="calls", better="")
    cards = [kpi_card(
        metric="call_volume", title="Call volume", value_text=format_count(current["call_volume"]),
        definition="Calls in the period, voided calls excluded (unable-to-locate calls included).",
        hover=f"{current['call_volume']:,} calls", trend=volume_trend,
        spark=figures.sparkline(series, "call_volume") if series else None,
        data={"numerator": current["call_volume"], "denominator": ""},
    )]
    for metric, title, better, definition in RATE_CARDS:
        spark = figures.sparkline(series, metric) if series and metric in SERIES_METRICS else None
        cards.append(rate_card(metric, title, current[metric], previous.get(metric), definition,
                               better=better, spark=spark))
    response, before = current["response_time"], previous["response_time"]["median_seconds"]
    cards.append(kpi_card(
        metric="response_time", title="Median response time", value_text=format_seconds(response["median_seconds"]),
        definition="Median of arrival − dispatch over calls with both times; 90th percentile in the hover.",
        hover=f"90th percentile {format_seconds(response['p90_seconds'])}",
        trend=trend_text(None if response["median_seconds"] is None else response["median_seconds"] / 60,
                         None if before is None else before / 60, unit="min", better="down"),
        data={"median_seconds": response["median_seconds"], "p90_seconds": response["p90_seconds"]},
    ))
    volume_rows = [{"period": row["period"], "call_volume": row["call_volume"]} for row in series]
    return page(
        "Overview",
        f"{values['from']} to {values['to']} (local dates). Rates use located calls (C′): calls marked "
        "unable to locate count in volume only. Hover a card for its numerator and denominator.",
        filter_bar(user, values), *notes(messages),
        dbc.Row(cards, className="kpis"),
        chart_card(chart_id="overview-volume", title="Calls per month",
                   definition="Count of calls per local month, voided calls excluded.",
                   figure=figures.volume_over_time(series), rows=volume_rows,
                   columns=[("period", "Month starting"), ("call_volume", "Calls")]),
    )

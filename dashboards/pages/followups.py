"""Follow-ups: due and overdue now, timeliness and completion in the period, re-crisis."""

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import has_request_context

from dashboards import figures
from dashboards.access import require_page
from dashboards.components import chart_card, kpi_card, notes, page, rate_card
from dashboards.filters import filter_bar, parse
from mhu.services import agency_settings, metrics

dash.register_page(__name__, path="/followups", name="Follow-ups", title="MHU outcomes: follow-ups")
STATES = ["due_in_period", "attempted", "closed"]


def layout(**query):
    """Follow-up counts and rates for the filtered period."""
    if not has_request_context():
        return html.Div()
    user = require_page("followups")
    filters, values, messages = parse(user, query)
    status = metrics.followup_status(filters=filters)
    hours = agency_settings.followup_hours(user.agency_id)
    cards = dbc.Row([
        kpi_card(metric="open_due", title="Open, not yet due", value_text=f"{status['open_due']:,}",
                 definition="Open follow-ups whose due time is still ahead (now).", hover="Counted now, not in the period",
                 data={"numerator": status["open_due"], "denominator": ""}),
        kpi_card(metric="open_overdue", title="Open and overdue", value_text=f"{status['open_overdue']:,}",
                 definition="Open follow-ups past their due time (now).", hover="Counted now, not in the period",
                 data={"numerator": status["open_overdue"], "denominator": ""}),
        rate_card("followup_timeliness", "Timeliness", metrics.followup_timeliness(filters=filters), None,
                  f"Follow-ups due in the period first attempted within {hours} h of the call clearing / due."),
        rate_card("followup_completion", "Completion", metrics.followup_completion(filters=filters), None,
                  "Follow-ups closed in the period as reached and engaged or appointment kept / closed."),
        rate_card("recrisis_after_followup", "Re-crisis after follow-up",
                  metrics.recrisis_after_followup(filters=filters), None,
                  "Persons with a new contact within 30 days after a completed follow-up / persons followed up.",
                  better="down"),
    ])
    rows = [{"state": state, "count": status[state]} for state in STATES]
    return page(
        "Follow-ups", f"The {hours}-hour clock after each call.", filter_bar(user, values), *notes(messages), cards,
        chart_card(chart_id="followups-states", title="Follow-ups due in the period",
                   definition="Follow-ups due in the period: all, those with at least one attempt, those closed.",
                   figure=figures.bar(rows, title="Follow-ups due in the period", x_title="State", key="state",
                                      y_title="Follow-ups (count)"),
                   rows=rows, columns=[("state", "State"), ("count", "Follow-ups")],
                   empty=status["due_in_period"] == 0),
    )

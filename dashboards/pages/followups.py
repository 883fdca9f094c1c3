"""Follow-ups: due and overdue now, timeliness and completion in the period, re-crisis."""

import dash_bootstrap_components as dbc

from dashboards import figures
from dashboards.components import chart_card, count_card, rate_card
from dashboards.frame import register_page
from mhu.services import agency_settings, metrics

STATES = ["due_in_period", "attempted", "closed"]


@register_page("followups")
def layout(view):
    """Follow-up counts and rates for the filtered period."""
    filters = view.filters
    status = metrics.followup_status(filters=filters)
    hours = agency_settings.followup_hours(filters.agency_id)
    trends = view.trends("followup_timeliness", "followup_completion", "recrisis_after_followup")
    cards = dbc.Row([
        count_card("open_followups_due", status["open_due"], hover="Counted now, not in the period"),
        # The follow-up queue lists open follow-ups, overdue first (a field page; reads are audited there).
        count_card("open_followups_overdue", status["open_overdue"], hover="Counted now, not in the period",
                   drill="/field/followups"),
        *(rate_card(key, reader(filters=filters), trends[key]) for key, reader in (
            ("followup_timeliness", metrics.followup_timeliness), ("followup_completion", metrics.followup_completion),
            ("recrisis_after_followup", metrics.recrisis_after_followup))),
    ])
    rows = [{"state": state, "count": status[state]} for state in STATES]
    return view.skeleton(
        f"The {hours}-hour clock after each call.", cards,
        chart_card(chart_id="followups-states", title="Follow-ups due in the period",
                   definition="Follow-ups due in the period: all, those with at least one attempt, those closed.",
                   figure=figures.bar(rows, title="Follow-ups due in the period", x_title="State", key="state",
                                      y_title="Follow-ups (count)"),
                   rows=rows, columns=[("state", "State"), ("count", "Follow-ups")],
                   empty=status["due_in_period"] == 0),
    )

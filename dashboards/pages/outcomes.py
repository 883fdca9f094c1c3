"""Outcomes: dispositions over time, the intercept -> disposition -> follow-up flow, holds and force."""

from dashboards import figures
from dashboards.components import chart_card
from dashboards.frame import register_page
from mhu.services import metrics


@register_page("outcomes")
def layout(view):
    """Outcome charts for the filtered period."""
    filters = view.filters
    dispositions = metrics.disposition_series(filters=filters)
    flow = metrics.outcome_flow(filters=filters)
    holds = metrics.breakdown(filters=filters, dimension="legal_hold")
    force = metrics.breakdown(filters=filters, dimension="force")
    return view.skeleton(
        "What happened on each call and after it.",
        
        chart_card(chart_id="outcomes-dispositions", title="Dispositions per month",
                   definition="Calls per local month by disposition; voided calls excluded, missing shown as 'Missing'.",
                   figure=figures.dispositions_over_time(dispositions), rows=dispositions,
                   columns=[("period", "Month starting"), ("disposition", "Disposition"), ("count", "Calls")]),
        chart_card(chart_id="outcomes-flow", title="Intercept → disposition → follow-up outcome",
                   definition="Each call flows from its SIM intercept to its disposition to its follow-up's outcome "
                              "('No followup' when none was opened, 'Open' while one is open).",
                   figure=figures.outcome_sankey(flow), rows=flow,
                   columns=[("intercept", "Intercept"), ("disposition", "Disposition"), ("outcome", "Follow-up"),
                            ("count", "Calls")]),
        chart_card(chart_id="outcomes-holds", title="Emergency detentions by legal hold type",
                   definition="Located calls ending in emergency detention, split by the state hold code.",
                   figure=figures.bar(holds, title="Emergency detentions by hold type", x_title="Legal hold type"),
                   rows=holds, columns=[("key", "Hold type"), ("count", "Calls")],
                   empty_text="No emergency detention in this period."),
        chart_card(chart_id="outcomes-force", title="Force used (distribution)",
                   definition="Located calls (C′) by the highest force level used, least to most.",
                   figure=figures.bar(force, title="Calls by force level", x_title="Force level"),
                   rows=force, columns=[("key", "Force level"), ("count", "Calls")],
                   empty=not any(row["count"] for row in force)),
    )

"""Outcomes: outcome classes over time, the intercept -> outcome class -> follow-up flow, holds and force."""

from dashboards import figures
from dashboards.components import chart_card, drill_links
from dashboards.frame import register_page
from mhu.enums import intercept_label, label
from mhu.services import metrics
from mhu.services.outcomes import BY_KEY as OUTCOME_CLASS, FOLLOWUP_GROUPS, outcome_class

FOLLOWUP_LABEL = {key: name for key, name, _ in FOLLOWUP_GROUPS}


@register_page("outcomes")
def layout(view):
    """Outcome charts for the filtered period."""
    filters = view.filters
    dispositions = metrics.disposition_series(filters=filters)
    classes = metrics.outcome_class_series(filters=filters, dispositions=dispositions)
    flow = metrics.outcome_class_flow(filters=filters)
    holds = metrics.breakdown(filters=filters, dimension="legal_hold")
    force = metrics.breakdown(filters=filters, dimension="force")
    periods = sorted({row["period"] for row in classes})
    partial = [metrics.is_partial(period, filters=filters, today=view.today) for period in periods]
    detail = [{"period": row["period"], "outcome_class": OUTCOME_CLASS[outcome_class(row["disposition"])].label,
               "disposition": label(row["disposition"] if row["disposition"] != "missing" else None),
               "count": row["count"]} for row in dispositions]
    flow_rows = [{"intercept": intercept_label(link["intercept"]),
                  "outcome_class": OUTCOME_CLASS[link["outcome_class"]].label,
                  "followup": FOLLOWUP_LABEL[link["followup"]], "count": link["count"],
                  "dispositions": "; ".join(f"{label(d) if d != 'missing' else 'Not recorded'} {n}"
                                            for d, n in sorted(link["dispositions"].items()))} for link in flow]
    return view.skeleton(
        "What happened on each call and after it.",
        chart_card(chart_id="outcomes-classes", title="Outcomes per month",
                   definition="Calls per local month by outcome class (each disposition belongs to one class; the "
                              "table lists the dispositions); voided calls excluded.",
                   figure=figures.outcome_classes_over_time(
                       classes, partial=partial, link=lambda month, key: view.month_drill_href(f"class:{key}", month)),
                   rows=detail,
                   drill=drill_links("List the calls", [
                       (OUTCOME_CLASS[key].label, sum(r["count"] for r in classes if r["outcome_class"] == key),
                        view.drill_href(f"class:{key}")) for key in OUTCOME_CLASS]),
                   columns=[("period", "Month starting"), ("outcome_class", "Outcome class"),
                            ("disposition", "Disposition"), ("count", "Calls")]),
        chart_card(chart_id="outcomes-flow", title="Intercept → outcome class → follow-up",
                   definition="Each call flows from its SIM intercept to its outcome class to its follow-up "
                              "(completed, closed without completion, open, or none). The table has the dispositions.",
                   figure=figures.outcome_class_sankey(flow), rows=flow_rows,
                   columns=[("intercept", "Intercept"), ("outcome_class", "Outcome class"), ("followup", "Follow-up"),
                            ("count", "Calls"), ("dispositions", "Dispositions (calls)")]),
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

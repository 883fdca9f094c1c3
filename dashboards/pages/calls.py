"""Calls behind a count: the drill-down list from a KPI, a data-quality check or a bar.

Identified data: same filters (already scoped to the user's teams), listing audited as a call list,
each call opening on its field page, where reading it is audited. Partners never get here: the
page's rule (dashboards.site) refuses them, and the partner view renders no drill links.
"""

from dash import dcc, html

from dashboards.components import format_count
from dashboards.frame import register_page
from mhu.enums import intercept_label, label
from mhu.services import metrics
from mhu.services.metrics import drilldown
from mhu.services.outcomes import BY_KEY as OUTCOME_CLASSES


def describe_subset(subset: str) -> str:
    """What the list holds, in the registry's words."""
    if subset == "calls":
        return "All calls in the period"
    name, _, part = subset.partition(":")
    if name in drilldown.PERSON_SUBSETS:
        if name == "high_utilizers":
            return "Contacts in the period of the persons counted as high utilizers"
        return "Contacts (located calls with a person)" if part == "base" else \
            "Repeat contacts (within the repeat window of the person's previous contact)"
    if name == "class":
        return f"Calls with outcome class {OUTCOME_CLASSES[part].label}"
    entry = metrics.metric(name)
    if part == "base":
        return f"{entry.title}: {entry.denominator}"
    return f"{entry.title}: {entry.numerator}" if entry.numerator and entry.unit == "rate" else entry.title


@register_page("calls")
def layout(view):
    """The calls of one subset under the view's filters, newest first."""
    subset = view.query.get("subset") or "calls"
    result = drilldown.calls(actor=view.user, filters=view.filters, subset=subset)
    if result is None:
        view.messages.append(f"subset={subset} is invalid (not a count the dashboard can list), so nothing is listed.")
        return view.skeleton("The calls behind a count on the dashboard.")
    rows = [html.Tr([
        html.Td(dcc.Link(row["incident_number"] or str(row["id"])[:8], href=f"/field/calls/{row['id']}",
                         target="_blank", className="call-link")),
        html.Td(str(row["local_date"])), html.Td(row["district"] or "–"), html.Td(row["team"] or "–"),
        html.Td(label(row["disposition"])), html.Td(intercept_label(row["sim_intercept"])),
    ]) for row in result["rows"]]
    shown = len(result["rows"])
    caption = describe_subset(subset)
    return view.skeleton(
        f"{caption}: {format_count(result['total'])} calls"
        + (f", the newest {shown:,} listed" if shown < result["total"] else "")
        + ". Opening a call is recorded in the audit trail.",
        html.Div(html.Table([
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(heading, scope="col") for heading in
                                ("Incident", "Local date", "District", "Team", "Disposition", "SIM intercept")])),
            html.Tbody(rows),
        ], className="table table-sm table-striped", id="drill-table"), className="table-responsive"),
    )

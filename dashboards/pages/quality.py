"""Data quality: calls missing a disposition, intercept, times or person; late clinical notes."""

from dashboards import figures
from dashboards.components import chart_card, drill_links
from dashboards.frame import register_page
from mhu.services import metrics

CHECKS = ["missing_disposition", "missing_intercept", "missing_times", "missing_person", "late_notes"]


@register_page("quality")
def layout(view):
    """Data-quality counts for the filtered period."""
    filters = view.filters
    quality = metrics.data_quality(filters=filters)
    rows = [{"check": metrics.metric(check).title, "count": quality[check]} for check in CHECKS]
    return view.skeleton(
        f"{quality['calls']:,} calls in the period. Fix these at the source so the rates stay honest.",
        chart_card(chart_id="quality-checks", title="Calls with gaps",
                   definition=" ".join(metrics.describe(check) for check in CHECKS),
                   figure=figures.bar(rows, title="Calls with gaps", x_title="Check", key="check",
                                      links=[view.drill_href(check) for check in CHECKS]),
                   rows=rows, columns=[("check", "Check"), ("count", "Calls")], empty=quality["calls"] == 0,
                   drill=drill_links("List the calls", [(metrics.metric(check).title, quality[check],
                                                         view.drill_href(check)) for check in CHECKS])),
    )

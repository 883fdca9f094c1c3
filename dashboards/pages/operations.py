"""Operations: response and on-scene times, hour x weekday, districts, teams and handoffs."""

from dashboards import figures
from dashboards.components import chart_card, drill_links, format_seconds
from dashboards.frame import register_page
from mhu.services import metrics

BIN_COLUMNS = [("from_minutes", "From (min)"), ("to_minutes", "To (min)"), ("count", "Calls")]


@register_page("operations")
def layout(view):
    """Operational charts for the filtered period."""
    filters = view.filters
    response = metrics.response_time(filters=filters)
    scene = metrics.time_on_scene(filters=filters)
    response_bins = metrics.duration_histogram(filters=filters, measure="response")
    scene_bins = metrics.duration_histogram(filters=filters, measure="on_scene")
    heat = metrics.hour_weekday(filters=filters)
    districts = metrics.breakdown(filters=filters, dimension="district")
    teams = metrics.breakdown(filters=filters, dimension="team")
    transfers = metrics.breakdown(filters=filters, dimension="transfers")
    return view.skeleton(
        "Where and when the unit works, and how fast.",
        chart_card(chart_id="ops-response", title="Response time (dispatch → arrival)",
                   definition=f"Calls per 5-minute bin of arrival − dispatch. Median {format_seconds(response['median_seconds'])}, "
                              f"90th percentile {format_seconds(response['p90_seconds'])}.",
                   figure=figures.duration_histogram(response_bins, title="Response time"), rows=response_bins,
                   columns=BIN_COLUMNS),
        chart_card(chart_id="ops-scene", title="Time on scene (arrival → clear)",
                   definition=f"Calls per 5-minute bin of clear − arrival. Median {format_seconds(scene['median_seconds'])}, "
                              f"90th percentile {format_seconds(scene['p90_seconds'])}.",
                   figure=figures.duration_histogram(scene_bins, title="Time on scene"), rows=scene_bins,
                   columns=BIN_COLUMNS),
        chart_card(chart_id="ops-heatmap", title="Calls by hour and weekday",
                   definition="Calls by the local weekday and hour they were received; gaps show coverage needs.",
                   figure=figures.hour_weekday_heatmap(heat), rows=heat,
                   columns=[("weekday", "Weekday (0 = Mon)"), ("hour", "Hour"), ("count", "Calls")]),
        chart_card(chart_id="ops-district", title="Calls by district",
                   definition="Calls per district, most first.",
                   figure=figures.bar(districts, title="Calls by district", x_title="District", horizontal=True,
                                      links=[None if row["key"] == "unknown" else view.drill_href("calls", district=row["key"])
                                             for row in districts]),
                   rows=districts, columns=[("key", "District"), ("count", "Calls")],
                   drill=drill_links("List the calls", [
                       (row["key"], row["count"], view.drill_href("calls", district=row["key"]))
                       for row in districts if row["key"] != "unknown"])),
        chart_card(chart_id="ops-team", title="Team workload",
                   definition="Calls per team, most first.",
                   figure=figures.bar(teams, title="Calls by team", x_title="Team", horizontal=True),
                   rows=teams, columns=[("key", "Team"), ("count", "Calls")]),
        chart_card(chart_id="ops-transfers", title="988 / 911 handoffs",
                   definition="Calls transferred in from, or out to, 911, 988, crisis lines, mobile crisis or EMS.",
                   figure=figures.bar(transfers, title="Transfers in and out", x_title="Direction: partner"),
                   rows=transfers, columns=[("direction", "Direction"), ("value", "Partner"), ("count", "Calls")],
                   empty_text="No call in this period was transferred in or out."),
    )

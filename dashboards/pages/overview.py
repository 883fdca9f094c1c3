"""Overview: the headline KPIs with trend against the previous period and monthly sparklines."""

import dash_bootstrap_components as dbc

from dashboards import figures
from dashboards.components import chart_card, count_card, format_seconds, kpi_card, rate_card, trend_line
from dashboards.frame import register_page
from mhu.services import metrics
from mhu.services.metrics import drilldown

# The headline rates, in card order; titles, definitions and directions are the registry's.
RATE_CARDS = ["jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
              "emergency_detention_rate", "connection_to_services", "use_of_force_rate", "repeat_contact_rate",
              "followup_timeliness"]
SERIES_METRICS = {"jail_diversion_rate", "diversion_from_arrest", "resolved_in_community", "ed_use",
                  "emergency_detention_rate", "connection_to_services", "use_of_force_rate"}


@register_page("overview")
def layout(view):
    """KPI cards for the filtered period."""
    data = metrics.overview(filters=view.filters, previous_period=False)  # trends: view.trends()
    current, series = data["current"], data["series"]
    trends = view.trends("call_volume", *RATE_CARDS, "response_time")
    partial = [metrics.is_partial(row["period"], filters=view.filters, today=view.today) for row in series]
    cards = [count_card("call_volume", current["call_volume"], hover=f"{current['call_volume']:,} calls",
                        trend=trends["call_volume"], drill=view.drill_href("calls"),
                        spark=figures.sparkline(series, "call_volume", partial=partial) if series else None)]
    for key in RATE_CARDS:
        spark = figures.sparkline(series, key, partial=partial) if series and key in SERIES_METRICS else None
        drill = view.drill_href(key) if drilldown.lists(key) else None
        cards.append(rate_card(key, current[key], trends[key], spark=spark, drill=drill))
    response = current["response_time"]
    cards.append(kpi_card(
        metric="response_time", title=f"Median {metrics.metric('response_time').title.lower()}",
        value_text=format_seconds(response["median_seconds"]), definition=metrics.describe("response_time"),
        hover=f"90th percentile {format_seconds(response['p90_seconds'])}",
        trend=trend_line(trends["response_time"]),
        data={"median_seconds": response["median_seconds"], "p90_seconds": response["p90_seconds"]},
    ))
    volume_rows = [{"period": row["period"], "call_volume": row["call_volume"], "partial": "partial" if p else ""}
                   for row, p in zip(series, partial)]
    return view.skeleton(
        f"{view.values['from']} to {view.values['to']} (local dates). Rates use located calls (C′): calls marked "
        "unable to locate count in volume only. Hover a card for its numerator and denominator.",
        dbc.Row(cards, className="kpis"),
        chart_card(chart_id="overview-volume", title="Calls per month",
                   definition="Count of calls per local month, voided calls excluded.",
                   figure=figures.volume_over_time(series, partial=partial), rows=volume_rows,
                   columns=[("period", "Month starting"), ("call_volume", "Calls"), ("partial", "Partial month")]),
    )

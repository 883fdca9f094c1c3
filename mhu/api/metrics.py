"""Metrics as JSON: identified (scoped) metrics for the field roles, suppressed tables for partners."""

from flask import Response, abort
from flask_smorest import Blueprint
from marshmallow import RAISE

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import metrics
from mhu.services.metrics import partner as metrics_partner
from mhu.services.metrics import training
from schemas.metrics import (
    BREAKDOWN_NAMES,
    PARTNER_TABLE_NAMES,
    BreakdownRowSchema,
    CitSharePointSchema,
    CitShareQuerySchema,
    DataQualitySchema,
    DurationQuerySchema,
    DurationResultSchema,
    FlowLinkSchema,
    FollowupMetricsSchema,
    HighUtilizerSchema,
    HourWeekdaySchema,
    MetricsQuerySchema,
    PartnerQuerySchema,
    PartnerTableSchema,
    SeriesPointSchema,
    SeriesQuerySchema,
    SummarySchema,
)

blp = Blueprint("metrics", __name__, url_prefix="/api/v1/metrics",
                description="Outcome metrics (DESIGN.md section 5), scoped to the caller's agency or teams")
partner_blp = Blueprint("partner_metrics", __name__, url_prefix="/api/v1/partner/metrics",
                        description="De-identified monthly and district aggregates with small-cell suppression")

dashboard_only = requires(policy.can_view_identified_dashboards)
partner_only = requires(policy.can_view_partner_dashboard)


def filters_from(query: dict) -> metrics.MetricFilters:
    """The caller's scoped filters for the parsed query (default period: the last 12 months)."""
    user = actor()
    first, last = metrics.default_period(agency_id=user.agency_id, date_from=query.get("date_from"),
                                         date_to=query.get("date_to"))
    return metrics.scoped_filters(
        actor=user, date_from=first, date_to=last, team_id=query.get("team_id"), district=query.get("district"),
        call_source=query.get("call_source"), sim_intercept=query.get("sim_intercept"),
    )


@blp.route("/summary")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, SummarySchema)
@documented_errors(blp, 401, 403, 422)
def summary(query):
    """Every headline metric of the period: counts, rates as {numerator, denominator, value}, durations."""
    return metrics.summary(filters=filters_from(query))


@blp.route("/series")
@dashboard_only
@blp.arguments(SeriesQuerySchema, location="query", unknown=RAISE)
@blp.response(200, SeriesPointSchema(many=True))
@documented_errors(blp, 401, 403, 422)
def series(query):
    """Call volume and call-based rates per local day, week (Monday first) or month."""
    return metrics.time_series(filters=filters_from(query), interval=query["interval"])


@blp.route("/breakdowns/<string:dimension>")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, BreakdownRowSchema(many=True))
@documented_errors(blp, 401, 403, 404, 422)
def breakdown(query, dimension):
    """Calls per value of a dimension: source, nature, intercept, disposition, district, team, force,
    legal_hold (emergency detentions by hold type) or transfers."""
    if dimension not in BREAKDOWN_NAMES:
        abort(404, f"Unknown breakdown; use one of {', '.join(BREAKDOWN_NAMES)}.")
    return metrics.breakdown(filters=filters_from(query), dimension=dimension)


@blp.route("/hour-weekday")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, HourWeekdaySchema(many=True))
@documented_errors(blp, 401, 403, 422)
def hour_weekday(query):
    """Calls per local weekday and hour (empty cells left out)."""
    return metrics.hour_weekday(filters=filters_from(query))


@blp.route("/flow")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, FlowLinkSchema(many=True))
@documented_errors(blp, 401, 403, 422)
def flow(query):
    """Calls per SIM intercept, disposition and follow-up outcome (the Outcomes page's Sankey)."""
    return metrics.outcome_flow(filters=filters_from(query))


@blp.route("/durations")
@dashboard_only
@blp.arguments(DurationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, DurationResultSchema)
@documented_errors(blp, 401, 403, 422)
def durations(query):
    """Median, 90th percentile and 5-minute histogram of response or on-scene time."""
    filters = filters_from(query)
    measure = query["measure"]
    if measure == "on_scene":
        result = metrics.time_on_scene(filters=filters)
    else:
        result = metrics.response_time(filters=filters, from_received=measure == "response_from_received")
    return {**result, "bins": metrics.duration_histogram(filters=filters, measure=measure)}


@blp.route("/followups")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, FollowupMetricsSchema)
@documented_errors(blp, 401, 403, 422)
def followups(query):
    """Open follow-ups due and overdue now; follow-ups due in the period; timeliness and completion."""
    filters = filters_from(query)
    return {**metrics.followup_status(filters=filters), "timeliness": metrics.followup_timeliness(filters=filters),
            "completion": metrics.followup_completion(filters=filters)}


@blp.route("/data-quality")
@dashboard_only
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, DataQualitySchema)
@documented_errors(blp, 401, 403, 422)
def data_quality(query):
    """Calls missing a disposition, intercept, times or person; calls with late clinical notes."""
    return metrics.data_quality(filters=filters_from(query))


@blp.route("/high-utilizers")
@requires(policy.can_view_identified_dashboards, policy.can_identify_persons)
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, HighUtilizerSchema(many=True))
@documented_errors(blp, 401, 403, 422)
def high_utilizer_list(query):
    """Identified persons with >= HIGH_UTILIZER_THRESHOLD contacts in the 12 months before `to` (audited)."""
    return metrics.high_utilizer_list(actor=actor(), filters=filters_from(query))


@blp.route("/cit-share")
@requires(policy.can_read_command_reports)
@blp.arguments(CitShareQuerySchema, location="query", unknown=RAISE)
@blp.response(200, CitSharePointSchema(many=True))
@documented_errors(blp, 401, 403, 422)
def cit_share(query):
    """CIT coverage per whole local month: the share of located calls with a CIT-trained officer on scene
    and the share of sworn officers with 40 CIT hours by the month's end (supervisors). Default: the
    last 12 whole months before the current one."""
    agency_id = actor().agency_id
    months = training.whole_months(agency_id=agency_id, date_from=query.get("date_from"),
                                   date_to=query.get("date_to"))
    return training.cit_share_series(agency_id=agency_id, months=months)


def _partner_table(query, table):
    if table not in PARTNER_TABLE_NAMES:
        abort(404, f"Unknown table; use one of {', '.join(PARTNER_TABLE_NAMES)}.")
    return metrics_partner.partner_table(actor=actor(), name=table, date_from=query.get("date_from"),
                                         date_to=query.get("date_to"))


@partner_blp.route("/<string:table>")
@partner_only
@partner_blp.arguments(PartnerQuerySchema, location="query", unknown=RAISE)
@partner_blp.response(200, PartnerTableSchema)
@documented_errors(partner_blp, 401, 403, 404, 422)
def partner_table(query, table):
    """A suppressed table (calls_by_district or outcomes) for one whole calendar month, quarter or year:
    its months (and its quarters and itself), from the year's publication grid."""
    return _partner_table(query, table)


@partner_blp.route("/<string:table>.csv")
@partner_only
@partner_blp.arguments(PartnerQuerySchema, location="query", unknown=RAISE)
@partner_blp.response(200, content_type="text/csv", description="The same suppressed table as CSV")
@documented_errors(partner_blp, 401, 403, 404, 422)
def partner_table_csv(query, table):
    """The suppressed table as CSV: a header block of `# key: value` lines (agency, period, generation
    time, suppression rule), then the JSON's columns (hidden cells read 'suppressed')."""
    result = _partner_table(query, table)
    return Response(metrics_partner.table_csv(actor=actor(), result=result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="mhu-{table}.csv"'})

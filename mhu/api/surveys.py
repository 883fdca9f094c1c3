"""Survey aggregates as JSON: the agency's for supervisors, the suppressed grid's for partners."""

from flask import Response
from marshmallow import RAISE
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import metrics
from mhu.services.metrics import suppression
from mhu.services.metrics import surveys as survey_metrics
from schemas.metrics import PartnerQuerySchema
from schemas.surveys import PartnerSurveySchema, SurveyAggregateSchema, SurveyQuerySchema

blp = Blueprint("survey_metrics", __name__, url_prefix="/api/v1",
                description="What people served say: anonymous survey aggregates")


@blp.route("/metrics/surveys")
@requires(policy.can_read_survey_results)
@blp.arguments(SurveyQuerySchema, location="query", unknown=RAISE)
@blp.response(200, SurveyAggregateSchema)
@documented_errors(blp, 401, 403, 422)
def supervisor_surveys(query):
    """Per question: answers, mean score and distribution, for the months of the period (default: the
    last 12 months), the agency or one of its teams."""
    user = actor()
    first, last = metrics.default_period(agency_id=user.agency_id, date_from=query.get("date_from"),
                                         date_to=query.get("date_to"))
    return survey_metrics.supervisor_survey_aggregate(actor=user, date_from=first, date_to=last,
                                                      team_ids=None if query.get("team_id") is None else {query["team_id"]})


@blp.route("/partner/metrics/surveys")
@requires(policy.can_view_partner_dashboard)
@blp.arguments(PartnerQuerySchema, location="query", unknown=RAISE)
@blp.response(200, PartnerSurveySchema)
@documented_errors(blp, 401, 403, 422)
def partner_surveys(query):
    """The same, suppressed, for one whole calendar month, quarter or year (hidden cells null)."""
    return survey_metrics.partner_survey_aggregate(actor=actor(), date_from=query["date_from"],
                                                   date_to=query["date_to"])


@blp.route("/partner/metrics/surveys.csv")
@requires(policy.can_view_partner_dashboard)
@blp.arguments(PartnerQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/csv", description="The same suppressed aggregates as CSV")
@documented_errors(blp, 401, 403, 422)
def partner_surveys_csv(query):
    """The suppressed survey aggregates as CSV, a row per question and period (hidden cells read 'suppressed')."""
    result = survey_metrics.partner_survey_aggregate(actor=actor(), date_from=query["date_from"],
                                                     date_to=query["date_to"])
    return Response(suppression.table_csv(survey_metrics.partner_survey_table(result)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="mhu-surveys.csv"'})

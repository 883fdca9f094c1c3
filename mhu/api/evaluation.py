"""Program evaluation as JSON (docs/evaluation.md): the eligibility funnel, its calls and coverage
gaps, the comparisons, avoided events and costs, hand-off times. Supervisors only: these read
every call of the agency, patrol-only ones included."""

from flask_smorest import Blueprint
from marshmallow import RAISE

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import audit, evaluation, metrics
from schemas.evaluation import (
    BeforeAfterQuerySchema, ComparisonSchema, EvaluationQuerySchema, FunnelCallsQuerySchema, FunnelCallsSchema,
    FunnelSchema, GapsSchema, HandoffSchema, SavingsSchema,
)

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1/metrics",
                description="Program evaluation: eligibility funnel, comparisons, savings, hand-off times")

supervisors = requires(policy.can_view_evaluation)


def agency_filters(query: dict) -> metrics.MetricFilters:
    """The whole agency over the period (evaluation compares across teams and patrol)."""
    user = actor()
    first, last = metrics.default_period(agency_id=user.agency_id, date_from=query.get("date_from"),
                                         date_to=query.get("date_to"))
    return metrics.MetricFilters(agency_id=user.agency_id, date_from=first, date_to=last,
                                 district=query.get("district") or None)


@blp.route("/eligibility")
@supervisors
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, FunnelSchema)
@documented_errors(blp, 401, 403, 422)
def eligibility(query):
    """Calls in scope -> in service hours -> unit requested -> unit responded, and why in-scope calls
    were not taken (recorded, else derived from the rules)."""
    return evaluation.funnel(filters=agency_filters(query))


@blp.route("/eligibility/calls")
@supervisors
@blp.arguments(FunnelCallsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, FunnelCallsSchema)
@documented_errors(blp, 401, 403, 422)
def eligibility_calls(query):
    """The calls behind a funnel stage or a not-taken reason (newest 200), each with the rule that
    decided its scope. Audited as a call list."""
    result = evaluation.funnel_calls(filters=agency_filters(query), stage=query["stage"], reason=query.get("reason"))
    audit.record(action="call.list", actor=actor(), object_type="call", object_id=None, commit=True)
    return result


@blp.route("/eligibility/gaps")
@supervisors
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, GapsSchema)
@documented_errors(blp, 401, 403, 422)
def eligibility_gaps(query):
    """In-scope calls the unit did not take, by local weekday x hour and by district."""
    return evaluation.coverage_gaps(filters=agency_filters(query))


@blp.route("/comparison")
@supervisors
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, ComparisonSchema)
@documented_errors(blp, 401, 403, 422)
def comparison(query):
    """Unit-attended vs patrol-only calls in scope over the period: counts, proportions, the
    difference with its 95% interval (Newcombe), and the caveat."""
    return evaluation.like_with_like(filters=agency_filters(query))


@blp.route("/before-after")
@supervisors
@blp.arguments(BeforeAfterQuerySchema, location="query", unknown=RAISE)
@blp.response(200, ComparisonSchema)
@documented_errors(blp, 401, 403, 422)
def before_after(query):
    """In-scope calls in the `days` days before the program start and the `days` days from it."""
    return evaluation.before_after(agency_id=actor().agency_id, days=query["days"], team_id=query.get("team_id"),
                                   district=query.get("district"))


@blp.route("/savings")
@supervisors
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, SavingsSchema)
@documented_errors(blp, 401, 403, 422)
def savings(query):
    """Avoided bookings, ED visits and EMS transports (low / central / high) and their costs."""
    return evaluation.avoided(filters=agency_filters(query))


@blp.route("/handoff")
@supervisors
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, HandoffSchema)
@documented_errors(blp, 401, 403, 422)
def handoff(query):
    """Median and 90th percentile minutes from arrival at a facility to release, per facility."""
    return evaluation.handoff_times(filters=agency_filters(query))

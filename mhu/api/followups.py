"""The follow-up worklist and contact attempts."""

from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import (
    actor, documented_errors, etag_headers, idempotent, if_match_documented, or_404, page_body, required_if_match,
)
from mhu.auth import policy, requires
from mhu.services import care
from schemas.care import (
    AttemptCreateSchema, AttemptReadSchema, FollowUpPageSchema, FollowUpQuerySchema, FollowUpReadSchema,
    FollowUpUpdateSchema,
)

blp = Blueprint("followups", __name__, url_prefix="/api/v1/followups", description="Follow-up worklist")


def _followup_or_404(followup_id):
    return or_404(care.get_followup(actor=actor(), followup_id=followup_id))


@blp.route("")
@requires(policy.can_read_calls)
@blp.arguments(FollowUpQuerySchema, location="query")
@blp.response(200, FollowUpPageSchema)
@documented_errors(blp, 401, 403)
def worklist(query):
    """Due, overdue, open or done follow-ups: mine or my team's (supervisors: the agency), by due time."""
    items, total = care.list_followups(
        actor=actor(), status=query["status"], scope=query["scope"], page=query["page"], per_page=query["per_page"]
    )
    return page_body(items, total, query["page"], query["per_page"])


@blp.route("/<uuid:followup_id>")
class FollowUpItem(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, FollowUpReadSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, followup_id):
        """One follow-up with its attempts."""
        followup = or_404(care.read_followup(actor=actor(), followup_id=followup_id))
        return followup, etag_headers(followup)

    @requires(policy.can_create_records)
    @blp.arguments(FollowUpUpdateSchema)
    @blp.response(200, FollowUpReadSchema)
    @if_match_documented(blp)
    @documented_errors(blp, 401, 403, 404, 412, 428)
    def patch(self, data, followup_id):
        """Reschedule, reassign or close (with an outcome); If-Match required."""
        followup = _followup_or_404(followup_id)
        followup = care.update_followup(actor=actor(), followup=followup, data=data, expected_version=required_if_match())
        return followup, etag_headers(followup)


@blp.route("/<uuid:followup_id>/attempts")
class FollowUpAttempts(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, AttemptReadSchema(many=True))
    @documented_errors(blp, 401, 403, 404)
    def get(self, followup_id):
        """Attempts made on the follow-up, oldest first."""
        return or_404(care.read_followup(actor=actor(), followup_id=followup_id)).attempts

    @requires(policy.can_create_records)
    @idempotent
    @blp.arguments(AttemptCreateSchema)
    @blp.response(201, AttemptReadSchema)
    @documented_errors(blp, 401, 403, 404, 409)
    def post(self, data, followup_id):
        """Record a contact attempt; one with an outcome closes the follow-up."""
        return care.record_attempt(actor=actor(), followup=_followup_or_404(followup_id), data=data)

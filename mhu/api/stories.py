"""A call's story: draft (who may edit the call), approve and withdraw (supervisors)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors, or_404
from mhu.auth import policy, requires
from mhu.services import calls, stories
from schemas.stories import StoryReadSchema, StoryWriteSchema

blp = Blueprint("stories", __name__, url_prefix="/api/v1/calls",
                description="Shareable de-identified call summaries, approved by supervisors")


def _call(call_id):
    return or_404(calls.get_call(actor=actor(), call_id=call_id, include_voided=False))


@blp.route("/<uuid:call_id>/story")
class Story(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, StoryReadSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, call_id):
        """The call's story, drafts included (staff of the agency only; partners never see drafts)."""
        return or_404(stories.read_story(actor=actor(), call=_call(call_id)))

    @requires(policy.can_create_records)
    @blp.arguments(StoryWriteSchema)
    @blp.response(200, StoryReadSchema)
    @documented_errors(blp, 401, 403, 404, 409, 422)
    def put(self, data, call_id):
        """Write the story as a draft; rejected with a message on `summary` when it holds identifying details.
        Rewriting an approved story returns it to draft."""
        return stories.save_draft(actor=actor(), call=_call(call_id), summary=data["summary"])


@blp.route("/<uuid:call_id>/story/approve")
class StoryApprove(MethodView):
    @requires(policy.can_approve_stories)
    @blp.response(200, StoryReadSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def post(self, call_id):
        """Approve the story for sharing (supervisors; audited). Reports print approved stories only."""
        return or_404(stories.approve(actor=actor(), call=_call(call_id)))


@blp.route("/<uuid:call_id>/story/withdraw")
class StoryWithdraw(MethodView):
    @requires(policy.can_approve_stories)
    @blp.response(200, StoryReadSchema)
    @documented_errors(blp, 401, 403, 404)
    def post(self, call_id):
        """Withdraw the story from reports (supervisors; audited)."""
        return or_404(stories.withdraw(actor=actor(), call=_call(call_id)))

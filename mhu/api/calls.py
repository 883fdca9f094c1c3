"""Calls and what hangs off them: referrals, follow-ups and clinical notes."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import (
    actor, documented_errors, etag_headers, idempotent, if_match_documented, or_404, page_body, required_if_match,
)
from mhu.auth import policy, requires
from mhu.services import calls, care
from schemas.calls import (
    CallCreateSchema, CallPageSchema, CallQuerySchema, CallReadSchema, CallUpdateSchema, CallVoidSchema,
)
from schemas.care import (
    FollowUpCreateSchema, FollowUpReadSchema, NoteCreateSchema, NoteReadSchema, ReferralCreateSchema,
    ReferralReadSchema,
)

blp = Blueprint("calls", __name__, url_prefix="/api/v1/calls", description="Crisis calls (encounters)")


def _call_or_404(call_id):
    return or_404(calls.get_call(actor=actor(), call_id=call_id))


@blp.route("")
class CallCollection(MethodView):
    @requires(policy.can_read_calls)
    @blp.arguments(CallQuerySchema, location="query")
    @blp.response(200, CallPageSchema)
    @documented_errors(blp, 401, 403)
    def get(self, query):
        """List the agency's calls, newest first; voided calls are left out."""
        page, per_page = query.pop("page"), query.pop("per_page")
        items, total = calls.list_calls(actor=actor(), filters=query, page=page, per_page=per_page)
        return page_body(items, total, page, per_page)

    @requires(policy.can_create_records)
    @idempotent
    @blp.arguments(CallCreateSchema)
    @blp.response(201, CallReadSchema)
    @documented_errors(blp, 401, 403, 409)
    def post(self, data):
        """Record a call. Send an Idempotency-Key so a retried POST never duplicates it."""
        call = calls.create_call(actor=actor(), data=data)
        return call, {"Location": url_for("calls.CallItem", call_id=call.id), **etag_headers(call)}


@blp.route("/<uuid:call_id>")
class CallItem(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, CallReadSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, call_id):
        """One call, with its ETag for a later PATCH."""
        call = or_404(calls.read_call(actor=actor(), call_id=call_id))
        return call, etag_headers(call)

    @requires(policy.can_read_calls)
    @blp.arguments(CallUpdateSchema)
    @blp.response(200, CallReadSchema)
    @if_match_documented(blp)
    @documented_errors(blp, 401, 403, 404, 409, 412, 428)
    def patch(self, data, call_id):
        """Change some fields; If-Match must carry the ETag last read."""
        call = _call_or_404(call_id)
        expected = required_if_match()
        call = calls.update_call(actor=actor(), call=call, data=data, expected_version=expected)
        return call, etag_headers(call)

    @requires(policy.can_read_calls)
    @blp.arguments(CallVoidSchema)
    @blp.response(200, CallReadSchema)
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, data, call_id):
        """Void the call with a reason; it is kept, but leaves lists and metrics."""
        call = _call_or_404(call_id)
        return calls.void_call(actor=actor(), call=call, reason=data["reason"])


@blp.route("/<uuid:call_id>/referrals")
class CallReferrals(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, ReferralReadSchema(many=True))
    @documented_errors(blp, 401, 403, 404)
    def get(self, call_id):
        """Referrals made on the call."""
        return care.list_referrals(actor=actor(), call=_call_or_404(call_id))

    @requires(policy.can_create_records)
    @idempotent
    @blp.arguments(ReferralCreateSchema)
    @blp.response(201, ReferralReadSchema)
    @documented_errors(blp, 401, 403, 404, 409)
    def post(self, data, call_id):
        """Record a referral to a partner service."""
        return care.create_referral(actor=actor(), call=_call_or_404(call_id), data=data)


@blp.route("/<uuid:call_id>/followups")
class CallFollowUps(MethodView):
    @requires(policy.can_read_calls)
    @blp.response(200, FollowUpReadSchema(many=True))
    @documented_errors(blp, 401, 403, 404)
    def get(self, call_id):
        """Follow-ups of the call."""
        return care.list_call_followups(actor=actor(), call=_call_or_404(call_id))

    @requires(policy.can_create_records)
    @idempotent
    @blp.arguments(FollowUpCreateSchema)
    @blp.response(201, FollowUpReadSchema)
    @documented_errors(blp, 401, 403, 404, 409)
    def post(self, data, call_id):
        """Open a follow-up, due FOLLOWUP_DUE_HOURS after the call cleared unless `due_at` is given."""
        followup = care.create_followup(actor=actor(), call=_call_or_404(call_id), data=data)
        return followup, etag_headers(followup)


@blp.route("/<uuid:call_id>/notes")
class CallNotes(MethodView):
    @requires(policy.can_read_clinical_notes)
    @blp.response(200, NoteReadSchema(many=True))
    @documented_errors(blp, 401, 403, 404)
    def get(self, call_id):
        """Clinical notes of the call (clinicians; Part 2 notes only within the author's program)."""
        return care.list_notes(actor=actor(), call=_call_or_404(call_id))

    @requires(policy.can_read_clinical_notes)
    @idempotent
    @blp.arguments(NoteCreateSchema)
    @blp.response(201, NoteReadSchema)
    @documented_errors(blp, 401, 403, 404, 409)
    def post(self, data, call_id):
        """Append a note or an addendum; notes cannot be edited or deleted."""
        return care.append_note(actor=actor(), call=_call_or_404(call_id), data=data)

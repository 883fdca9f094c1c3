"""Field pages for the anonymous surveys (issue a link and QR code for a call; review comments)
and the follow-up reminders (the header badge and the list)."""

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mhu.auth import policy, requires
from mhu.field import bp
from mhu.services import ServiceError, calls, reminders, surveys


def _actor():
    return current_user._get_current_object()


@bp.app_template_global("reminder_badge_count")
def reminder_badge_count() -> int:
    """The header badge: the viewer's follow-ups due soon or overdue and not yet attempted."""
    if not current_user.is_authenticated:
        return 0
    return reminders.reminder_count(actor=_actor())


@bp.app_template_global("survey_links_open")
def survey_links_open(call) -> int:
    """Unused, unexpired survey links of a call (the call page's survey card)."""
    return surveys.open_invitations(call=call)


@bp.app_template_global("can_issue_survey")
def can_issue_survey(call) -> bool:
    return current_user.is_authenticated and policy.can_issue_survey(_actor(), call)


@bp.route("/calls/<uuid:call_id>/survey", methods=["POST"])
@requires(policy.can_issue_surveys)
def issue_survey(call_id):
    """Issue a single-use survey link for the person served and show it once, as a link and a QR code."""
    actor = _actor()
    call = calls.get_call(actor=actor, call_id=call_id)
    if call is None:
        abort(404)
    if not policy.can_issue_survey(actor, call):
        abort(403)
    try:
        invitation, token = surveys.issue_invitation(actor=actor, call=call)
    except ServiceError as error:
        back = url_for("field.call_page", call_id=call.id)
        return render_template("field/not_saved.html", errors={"_form": [error.message]}, back=back), error.status
    url = url_for("survey.survey", token=token, _external=True)
    qr = segno.make(url, error="m").svg_inline(border=2, omitsize=True, title="QR code of the survey link", dark="#000",
                                               light="#fff")
    return render_template("field/survey_invitation.html", call=call, url=url, qr=qr, expires_at=invitation.expires_at)


@bp.route("/reminders")
@requires(policy.can_create_records, policy.can_receive_reminders)
def reminder_list():
    """Follow-ups assigned to me that are due soon or overdue and not yet attempted."""
    items = reminders.my_reminders(actor=_actor())
    call_by_id = {item["followup"].call_id: calls.get_call(actor=_actor(), call_id=item["followup"].call_id)
                  for item in items}
    return render_template("field/reminders.html", items=items, calls=call_by_id,
                           lead_hours=current_app.config["REMINDER_LEAD_HOURS"])


@bp.route("/surveys/review")
@requires(policy.can_review_survey_comments)
def survey_review():
    """Survey comments from my teams waiting for a clinician to check them for identifying details."""
    return render_template("field/survey_review.html", items=surveys.pending_comments(actor=_actor()))


@bp.route("/surveys/review/<response_id>", methods=["POST"])
@requires(policy.can_review_survey_comments)
def review_survey_comment(response_id):
    """Mark one comment free of identifying details (publish to supervisors) or not (withhold it)."""
    if surveys.pending_comment(actor=_actor(), response_id=response_id) is None:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        return render_template("field/not_saved.html", errors={"decision": ["Choose publish or withhold."]},
                               back=url_for("field.survey_review")), 422
    if surveys.review_comment(actor=_actor(), response_id=response_id, approve=decision == "approve") is None:
        abort(404)
    flash("Comment published to supervisors." if decision == "approve" else "Comment withheld.")
    return redirect(url_for("field.survey_review"))

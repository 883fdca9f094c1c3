"""The public survey page, /s/<token>: no login, a phone-sized form, rate-limited per address.

Its own small template and stylesheet (no app chrome, no scripts): the person served sees only
the four questions and a comment box. CSRF is the app's usual form token (mhu/auth/csrf.py),
kept in the anonymous session cookie the page sets.
"""

from flask import Blueprint, Flask, current_app, render_template, request

from mhu.services import ServiceError, surveys

bp = Blueprint("survey", __name__, template_folder="templates", static_folder="static",
               static_url_path="/s-static")

STATUS = {"unknown": 404, "expired": 410}


def _page(template: str, status: int = 200, **context):
    return render_template(f"survey/{template}", questions=surveys.QUESTIONS, scale=surveys.SCALE,
                           comment_max=current_app.config["SURVEY_COMMENT_MAX"], **context), status


@bp.route("/s/<token>", methods=["GET", "POST"])
def survey(token):
    """The survey form (GET) and its answer (POST); a clear page for an unusable link."""
    if not surveys.allow_request(address=request.remote_addr):
        page, _ = _page("message.html", state="busy")
        return page, 429, {"Retry-After": str(int(current_app.config["SURVEY_RATE_WINDOW"].total_seconds()))}
    if request.method == "GET":
        state = surveys.invitation_state(token)
        if state != "open":
            return _page("message.html", STATUS[state], state=state)
        return _page("form.html", token=token, errors={}, values={})
    try:
        outcome = surveys.submit(token=token, form=request.form)
    except ServiceError as error:
        state = surveys.invitation_state(token)
        if state != "open":
            return _page("message.html", STATUS[state], state=state)
        return _page("form.html", 422, token=token, errors=error.errors, values=request.form)
    if outcome != "saved":
        return _page("message.html", STATUS[outcome], state=outcome)
    return _page("message.html", state="thanks")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

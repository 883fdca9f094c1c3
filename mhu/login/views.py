"""Browser login and logout."""

from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from mhu.auth import policy
from mhu.extensions import db
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, mfa, sessions, sso, users

bp = Blueprint("auth", __name__)


HOMES = {"field": "field.home", "admin": "web.admin_home"}


def home_for(user) -> str:
    """Where a user lands after login (policy.home_face): field pages, administration or the dashboard."""
    face = policy.home_face(user)
    return url_for(HOMES[face]) if face in HOMES else "/dashboard/"


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths, so the login form cannot bounce users to another host.
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


FAILED = "Email or password is not correct, or the account is locked. Try again in a few minutes."


def _signed_in(user, method: str = "password", next_page: str | None = None):
    session.clear()
    login_user(user)
    session["auth_method"] = method
    start_device_session(user)
    return redirect(next_page or _safe_next(request.args.get("next")) or home_for(user))


def _login_page(status: int = 200):
    return render_template("auth/login.html", sso_options=sso.sign_in_options(),
                           next=_safe_next(request.args.get("next"))), status


def start_device_session(user) -> None:
    """Record the signed-in device server-side and keep its key in the session cookie."""
    session[sessions.COOKIE_ENTRY] = sessions.start(user=user)
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, go to `next` or the role's home (after the code step, if any)."""
    if request.method == "POST":
        try:
            user = users.authenticate(email=request.form.get("email", ""), password=request.form.get("password", ""))
        except users.SecondFactorRequired as pending:
            session.clear()
            session["mfa_pending"] = {"user": pending.user.id, "nonce": pending.user.session_nonce,
                                      "at": utcnow().timestamp()}
            return render_template("auth/login_code.html", next=_safe_next(request.args.get("next")))
        if user is not None:
            return _signed_in(user)
        flash(FAILED)
        return _login_page(401)
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return _login_page()


@bp.route("/login/sso/<int(signed=False):agency_id>")
def sso_start(agency_id):
    """Send the browser to the agency's sign-in provider (authorization code flow with PKCE)."""
    try:
        url, pending = sso.begin(agency_id=agency_id, redirect_uri=url_for("auth.sso_callback", _external=True))
    except sso.SignInRefused as refused:
        flash(str(refused))
        return _login_page(400)
    session.clear()
    session["sso_pending"] = {**pending, "next": _safe_next(request.args.get("next"))}
    return redirect(url)


@bp.route("/login/sso/callback")
def sso_callback():
    """The provider's answer: sign the person in, or say why not."""
    pending = session.pop("sso_pending", None)
    if not pending:
        flash("Start the single sign-on again from this page.")
        return redirect(url_for("auth.login"))
    try:
        user = sso.finish(pending=pending, answer=request.args.to_dict(),
                          redirect_uri=url_for("auth.sso_callback", _external=True))
    except sso.SignInRefused as refused:
        flash(str(refused))
        return _login_page(403)
    return _signed_in(user, method="sso", next_page=pending.get("next"))


@bp.route("/login/code", methods=["POST"])
def login_code():
    """The second login step: the authenticator's code (or a recovery code) after the password."""
    pending = session.get("mfa_pending")
    if not pending or utcnow().timestamp() - pending["at"] > current_app.config["MFA_PENDING_SECONDS"]:
        session.pop("mfa_pending", None)
        flash("The sign-in took too long. Enter your email and password again.")
        return redirect(url_for("auth.login"))
    user = users.complete_second_factor(user_id=pending["user"], session_nonce=pending["nonce"],
                                        otp=request.form.get("otp", ""))
    if user is not None:
        return _signed_in(user)
    flash("The code is not correct, or the account is locked.")
    return render_template("auth/login_code.html", next=_safe_next(request.args.get("next"))), 401


def _person_only():
    # Service accounts (integration) have API tokens, not authenticators.
    if not policy.reads_data(current_user):
        abort(403)


@bp.route("/account/mfa")
@login_required
def mfa_setup():
    """Two-step sign-in status, and the way to set it up."""
    _person_only()
    user = current_user._get_current_object()
    return render_template("auth/mfa_setup.html", enrolled=mfa.enrolled(user), enrolment=None,
                           required=mfa.required_for(user), remaining=mfa.remaining_recovery_codes(user))


@bp.route("/account/mfa/start", methods=["POST"])
@login_required
def mfa_start():
    """A new secret and recovery codes, shown once with the QR code."""
    _person_only()
    user = current_user._get_current_object()
    enrolment = mfa.begin_totp(user=user)
    return render_template("auth/mfa_setup.html", enrolled=False, enrolment=enrolment,
                           qr=mfa.qr_svg(enrolment["otpauth_uri"]), required=mfa.required_for(user))


@bp.route("/account/mfa/confirm", methods=["POST"])
@login_required
def mfa_confirm():
    """Turn two-step sign-in on with the first code."""
    _person_only()
    user = current_user._get_current_object()
    try:
        mfa.confirm_totp(user=user, code=request.form.get("code", ""))
    except ServiceError as error:
        flash(f"{error.message} Start the setup again and scan the new code.")
        return redirect(url_for("auth.mfa_setup"))
    flash("Two-step sign-in is on. Keep your recovery codes safe.")
    return redirect(home_for(user))


@bp.route("/logout", methods=["POST"])
def logout():
    """End this device's session, here and on the server; the user's other devices stay signed in."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        sessions.end_current(user=user, key=session.get(sessions.COOKIE_ENTRY))
        audit.record(action="logout", actor=user, object_type="user", object_id=user.id)
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))

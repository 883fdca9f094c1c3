"""Logging in and out: the login form, Flask-Login's session and bearer-token loaders, idle expiry."""

from flask import Flask, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

from mhu.auth import bearer_token, wants_json
from mhu.extensions import login_manager
from mhu.login import views
from mhu.models.types import utcnow
from mhu.services import mfa, sessions, users

# What an account that must set up a second factor can still reach.
MFA_SETUP_ENDPOINTS = frozenset({
    "static", "auth.login", "auth.login_code", "auth.logout", "auth.mfa_setup", "auth.mfa_start",
    "auth.mfa_confirm", "auth.sso_start", "auth.sso_callback", "mfa_api.TotpEnrolment", "mfa_api.TotpConfirm", "auth_api.Token", "auth_api.me",
    "health.healthz", None,
})


def init_app(app: Flask) -> None:
    """Wire Flask-Login: session loader, bearer-token loader, idle timeout, login pages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        user = users.load_session_user(session_id)
        if user is None or sessions.current(user=user, key=session.get(sessions.COOKIE_ENTRY)) is None:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(_request):
        token = bearer_token()
        user = users.user_for_token(token) if token else None
        # Flask-Login asks this loader only when no session user was found: remember that the
        # token, not a cookie, authenticated this request (the CSRF check depends on it).
        g.authenticated_by_token = user is not None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            response = jsonify(code=401, status="Unauthorized", message="Log in or send a bearer token.")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="mhu"'
            return response
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))

    @app.before_request
    def expire_idle_sessions():
        # Only cookie sessions idle out; bearer tokens carry their own expiry.
        if "_user_id" not in session:
            return None
        now = utcnow().timestamp()
        idle_limit = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        last_seen = session.get("last_seen")
        if last_seen is not None and now - last_seen > idle_limit:
            logout_user()
            session.clear()
            return None
        session["last_seen"] = now
        session.permanent = True
        return None

    @app.before_request
    def require_second_factor_setup():
        # Where the agency requires a second factor, an account without one may only set it up
        # (or leave): every other page and API answer points there.
        if request.endpoint in MFA_SETUP_ENDPOINTS or not current_user.is_authenticated:
            return None
        if session.get("auth_method") == "sso":
            return None  # the agency's provider asked for its own second factor
        if not mfa.enrolment_missing(current_user):
            return None
        if wants_json():
            response = jsonify(code=403, status="Forbidden", mfa_enrollment_required=True,
                               message="Set up two-step sign-in first: POST /api/v1/me/mfa/totp, then confirm.")
            response.status_code = 403
            return response
        return redirect(url_for("auth.mfa_setup"))

    app.register_blueprint(views.bp)

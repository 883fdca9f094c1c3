"""Logging in and out: the login form, Flask-Login's session and bearer-token loaders, idle expiry."""

from flask import Flask, jsonify, redirect, request, session, url_for
from flask_login import logout_user

from mhu.auth import bearer_token, wants_json
from mhu.extensions import login_manager
from mhu.login import views
from mhu.models.types import utcnow
from mhu.services import sessions, users


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
        return users.user_for_token(token) if token else None

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

    app.register_blueprint(views.bp)

"""Browser login and logout."""

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from mhu.auth import policy
from mhu.extensions import db
from mhu.services import audit, sessions, users

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


def start_device_session(user) -> None:
    """Record the signed-in device server-side and keep its key in the session cookie."""
    session[sessions.COOKIE_ENTRY] = sessions.start(user=user)
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, go to `next` or the role's home."""
    if request.method == "POST":
        user = users.authenticate(email=request.form.get("email", ""), password=request.form.get("password", ""))
        if user is not None:
            session.clear()
            login_user(user)
            start_device_session(user)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        flash("Email or password is not correct, or the account is locked. Try again in a few minutes.")
        return render_template("auth/login.html"), 401
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("auth/login.html")


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

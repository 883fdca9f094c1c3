"""CSRF protection for cookie-authenticated writes.

HTML forms carry the token in a hidden `csrf_token` field; scripts using the session cookie
send it as `X-CSRF-Token` (Dash sends its `_csrf_token` cookie as `X-CSRFToken`). Requests
authenticated by a bearer token are exempt (a browser never attaches those by itself); a request
that carries an `Authorization` header but is authenticated by its cookie is not.
"""

import secrets

from flask import Flask, abort, g, request, session
from flask_login import current_user

from mhu.auth import bearer_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
COOKIE_NAME = "_csrf_token"


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def authenticated_by_token() -> bool:
    """Whether a bearer token, not the session cookie, authenticated this request.

    Merely sending an `Authorization` header must not switch the check off: a cookie-authenticated
    request with a junk header would otherwise skip it.
    """
    if not bearer_token():
        return False
    current_user.is_authenticated  # noqa: B018 - loads the user, which records how
    return bool(g.get("authenticated_by_token"))


def init_app(app: Flask) -> None:
    """Check the token on every unsafe request that relies on the session cookie."""
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def check_csrf():
        if request.method in SAFE_METHODS or app.config.get("CSRF_DISABLED") or authenticated_by_token():
            return None
        # Forms (login included) and anything riding on a logged-in session need the token; a
        # JSON request with no session (the token endpoint) cannot be forged cross-site.
        is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
        if not is_form and "_user_id" not in session:
            return None
        expected = session.get("csrf_token")
        sent = (
            request.form.get("csrf_token")
            or request.headers.get("X-CSRF-Token")
            or request.headers.get("X-CSRFToken")
        )
        if not expected or not sent or not secrets.compare_digest(expected, sent):
            abort(400, "The form expired or did not come from this site; reload the page and try again.")
        return None

    @app.after_request
    def share_csrf_cookie(response):
        # Readable by the page's own scripts (not HttpOnly) so fetch() and Dash can echo it.
        if "csrf_token" in session and request.cookies.get(COOKIE_NAME) != session["csrf_token"]:
            response.set_cookie(
                COOKIE_NAME, session["csrf_token"], secure=app.config["SESSION_COOKIE_SECURE"],
                samesite="Lax", httponly=False,
            )
        return response

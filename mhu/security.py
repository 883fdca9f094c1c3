"""Security headers, request ids, the absolute session limit and login/token rate limits.

Rate limiting is database-backed on purpose: each login or token attempt reserves its place in
a per-address counter (`login_throttle`, one atomic upsert, services/login_limits.py) before
it is evaluated, and successful logins give their place back. Every gunicorn worker and every
app server sees the same count, nothing extra has to be deployed (no Redis), parallel attempts
cannot slip past the limit, and the refusals land in the audit trail.
"""

import base64
import hashlib
import re
import uuid

from flask import Flask, g, render_template, request, session
from flask_login import current_user, logout_user, user_logged_in
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from mhu.models.types import utcnow

RATE_LIMITED_ENDPOINTS = frozenset({"auth.login", "auth.login_code", "auth_api.Token"})
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Assets carry no identified data and may be cached; everything else is `no-store`.
CACHEABLE_PREFIXES = ("/static/", "/field/static/", "/dashboard/assets/", "/dashboard/_dash-component-suites/")
INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Dash pages: scripts stay 'self' plus the hashes of Dash's own inline bootstrap scripts (added per
# response), and no 'unsafe-eval' (every dashboard page renders without it in Chromium, checked by
# tests/browser/test_csp_browser.py). plotly.js injects <style> elements, so styles need
# 'unsafe-inline' here, and only here. Plotly's "Download plot as png" draws the chart's SVG into
# an <img> from a blob: URL, so dashboard images (and nothing else) may come from blob:.
DASHBOARD_POLICY = {
    **BASE_POLICY,
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
}


def policy_header(directives: dict) -> str:
    """A Content-Security-Policy header value from a directive map."""
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP hashes of the executable inline scripts of a page (Dash's renderer bootstrap)."""
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs").lower()
        if b" src=" in attrs or b"application/json" in attrs or not match.group("body").strip():
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def content_security_policy(path: str, response) -> str:
    """The narrowest policy that lets the page at `path` work."""
    if not path.startswith("/dashboard"):
        return policy_header(BASE_POLICY)
    directives = dict(DASHBOARD_POLICY)
    if response.mimetype == "text/html" and not response.direct_passthrough:
        hashes = inline_script_hashes(response.get_data())
        if hashes:
            directives["script-src"] = " ".join([directives["script-src"], *hashes])
    return policy_header(directives)


def current_request_id() -> str:
    """The request's id: a well-formed incoming X-Request-ID, or a new random one."""
    if "request_id" not in g:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if REQUEST_ID_PATTERN.match(sent) else uuid.uuid4().hex
    return g.request_id


def _session_expired(app: Flask) -> bool:
    login_at = session.get("login_at")
    limit = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    # A session without a login time predates this check: treat it as expired, not as eternal.
    return login_at is None or utcnow().timestamp() - login_at > limit


def init_app(app: Flask) -> None:
    """Install headers, request ids, the absolute session limit and the login rate limit."""
    from mhu.auth import wants_json
    from mhu.errors import error_response
    from mhu.extensions import db
    from mhu.services import audit, login_limits

    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        # Behind a trusted reverse proxy the client's address is in X-Forwarded-For.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @user_logged_in.connect_via(app)
    def stamp_login_time(_sender, **_extra):
        session["login_at"] = utcnow().timestamp()

    @app.before_request
    def assign_request_id():
        current_request_id()

    @app.before_request
    def end_sessions_past_absolute_limit():
        if "_user_id" in session and _session_expired(app):
            logout_user()
            session.clear()

    @app.before_request
    def limit_login_attempts():
        if request.method != "POST" or request.endpoint not in RATE_LIMITED_ENDPOINTS:
            return None
        window = app.config["LOGIN_RATE_WINDOW"]
        if login_limits.reserve_address_attempt(
            source_ip=request.remote_addr, window=window, limit=app.config["LOGIN_RATE_LIMIT"]
        ):
            return None
        audit.record(action="login", actor=None, object_type="user", outcome="rate_limited", commit=True)
        message = "Too many failed logins from this address; wait a few minutes and try again."
        headers = {"Retry-After": str(int(window.total_seconds()))}
        if wants_json():
            return error_response(429, "Too Many Requests", message, headers=headers)
        return render_template("error.html", error=TooManyRequests(message)), 429, headers

    @app.after_request
    def audit_refused_access(response):
        # A refusal (403) or another agency's record (404 on a record address) is recorded with
        # who, what and where, never the body; unknown addresses are not record lookups.
        status = response.status_code
        if status not in (403, 404) or (status == 404 and not request.view_args):
            return response
        if request.endpoint in ("static", None) or not current_user.is_authenticated:
            return response
        object_id = next((str(value) for value in request.view_args.values()), None) if request.view_args else None
        try:
            audit.record(action="access.refused", actor=current_user._get_current_object(),
                         object_type=request.endpoint[:40], object_id=object_id[:64] if object_id else None,
                         outcome="forbidden" if status == 403 else "not_found", commit=True)
        except SQLAlchemyError:
            db.session.rollback()
        return response

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers["X-Request-ID"] = current_request_id()
        headers["Content-Security-Policy"] = content_security_policy(request.path, response)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), payment=(), geolocation=(self)"
        if app.config.get("HSTS_SECONDS"):
            headers["Strict-Transport-Security"] = f"max-age={int(app.config['HSTS_SECONDS'])}"
        if not request.path.startswith(CACHEABLE_PREFIXES) and request.path != "/favicon.ico":
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
            headers.pop("Last-Modified", None)
        return response

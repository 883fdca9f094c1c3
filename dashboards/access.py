"""Who may open which dashboard page: the route guard and the per-callback re-check.

Each page's rule is declared with the page in dashboards.site (identified dashboards:
policy.can_view_identified_dashboards; the partner view: policy.can_view_partner_dashboard). Every page layout and callback calls require_page(), so a
hand-made callback request is judged by the same rule as the page itself.
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, redirect, request, url_for
from flask_login import current_user

from dashboards.site import PAGE_RULES, PARTNER_PATHS
from mhu.auth import csrf, policy

PREFIX = "/dashboard/"
PARTNER_PATH = PARTNER_PATHS[0]


def may_open(user, page: str) -> bool:
    """The page's rule for this user (unknown pages: no)."""
    rule = PAGE_RULES.get(page)
    return bool(user is not None and user.is_authenticated and rule is not None and rule(user))


def any_dashboard(user) -> bool:
    return any(rule(user) for rule in PAGE_RULES.values())


def require_page(page: str):
    """The logged-in user allowed on `page`, else abort 401/403 (inside a callback or layout)."""
    if not current_user.is_authenticated:
        abort(401)
    if not may_open(current_user, page):
        abort(403)
    return current_user._get_current_object()


def require_any_dashboard():
    """The logged-in user allowed on at least one page (callbacks shared by every page)."""
    if not current_user.is_authenticated:
        abort(401)
    if not any_dashboard(current_user):
        abort(403)
    return current_user._get_current_object()


def _is_page_request() -> bool:
    """A browser navigation to a dashboard page (not a callback, layout, asset or script)."""
    rest = request.path[len(PREFIX):]
    return request.method == "GET" and not rest.startswith("_") and not rest.startswith("assets/")


def _unauthorised():
    response = jsonify(code=401, status="Unauthorized", message="Log in to use the dashboard.")
    response.status_code = 401
    return response


def init_guard(app: Flask) -> None:
    """Every /dashboard/ route needs a login; admins are refused; partners reach the partner view only."""

    @app.before_request
    def guard_dashboard():
        path = request.path
        if not (path == PREFIX.rstrip("/") or path.startswith(PREFIX)):
            return None
        if not current_user.is_authenticated:
            if _is_page_request():
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return _unauthorised()
        if not any_dashboard(current_user):
            abort(403)
        # Dash's renderer echoes the _csrf_token cookie as X-CSRFToken on callback POSTs; make sure
        # the session has a token (login starts a fresh session) so the cookie is set on this response.
        csrf.csrf_token()
        if _is_page_request() and not policy.can_view_identified_dashboards(current_user):
            if path.rstrip("/") not in PARTNER_PATHS:
                return redirect(PARTNER_PATH + (f"?{request.query_string.decode()}" if request.query_string else ""))
        return None

"""Site-level pages: the front door and the administrator's landing page."""

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user

from mhu.auth import policy, requires
from mhu.login.views import home_for

bp = Blueprint("web", __name__)


@bp.route("/")
def index():
    """Send people to their role's home, or to the login page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/admin/")
@requires(policy.can_manage_users)
def admin_home():
    """The administrator's landing page."""
    return render_template("admin/home.html")


@bp.route("/api/v1/docs")
@requires(policy.reads_data)
def api_docs():
    """Interactive API documentation (Swagger UI served from our own static files)."""
    return render_template("api_docs.html")


def init_app(app: Flask) -> None:
    """Register the site pages."""
    app.register_blueprint(bp)

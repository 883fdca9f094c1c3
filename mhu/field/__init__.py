"""Tablet field pages (issue 4 fills these in)."""

from flask import Blueprint, Flask, render_template

from mhu.auth import policy, requires

bp = Blueprint("field", __name__, url_prefix="/field", template_folder="templates", static_folder="static")


@bp.route("/")
@requires(policy.can_create_records)
def home():
    """The field home page."""
    return render_template("base.html")


def init_app(app: Flask) -> None:
    """Register the field pages."""
    app.register_blueprint(bp)

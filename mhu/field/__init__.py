"""Tablet field pages: new call, open calls, call completion with clinical notes, follow-up queue.

Pages are rendered from the same services the API uses; the page scripts write through the JSON
API (session cookie + CSRF header), so every rule is enforced in one place.
"""

from flask import Blueprint, Flask

bp = Blueprint(
    "field", __name__, url_prefix="/field", template_folder="templates",
    static_folder="static", static_url_path="/static",
)


def init_app(app: Flask) -> None:
    """Register the field pages."""
    from mhu.field import cad_waiting, surveys_reminders, views  # noqa: F401  (routes attach to bp on import)

    app.register_blueprint(bp)

"""Administration in the browser: agency settings, users and invitations, teams, integration
tokens, the audit trail, the CIT training roster; and every user's own signed-in devices. Thin
views over services/admin.py and services/training.py."""

from flask import Flask

from mhu.admin import training, views  # noqa: F401  (training adds its routes to views.bp)


def init_app(app: Flask) -> None:
    """Register the administration pages."""
    app.register_blueprint(views.bp)

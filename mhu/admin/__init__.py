"""Administration in the browser: agency settings, users and invitations, teams, integration
tokens, the audit trail; and every user's own signed-in devices. Thin views over services/admin.py."""

from flask import Flask

from mhu.admin import views


def init_app(app: Flask) -> None:
    """Register the administration pages."""
    app.register_blueprint(views.bp)

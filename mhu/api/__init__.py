"""The JSON API under /api/v1 (flask-smorest): parse -> service -> respond."""

from flask import Flask

from mhu.extensions import api
from schemas.common import ErrorSchema


def init_app(app: Flask) -> None:
    """Bind the Api with our error shape and security schemes, then register every blueprint."""
    from mhu.api import (
        admin, audit, auth, cad, calls, evaluation, export, followups, health, imports, metrics, mfa, persons, reports,
        surveys, training,
    )
    from mhu.api import demographics, stories

    # Our error shape replaces smorest's default, so the spec names one Error schema.
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    for module in (health, auth, mfa, calls, export, followups, persons, audit, metrics, imports, cad, reports, training):
        api.register_blueprint(module.blp)
    api.register_blueprint(metrics.partner_blp)
    api.register_blueprint(surveys.blp)
    for blueprint in (demographics.blp, demographics.partner_blp, stories.blp):
        api.register_blueprint(blueprint)
    api.register_blueprint(evaluation.blp)
    app.before_request_funcs.setdefault(None, []).insert(0, imports.allow_large_uploads)
    api.register_blueprint(admin.blp)
    api.register_blueprint(admin.me_blp)

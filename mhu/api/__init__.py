"""The JSON API under /api/v1 (flask-smorest): parse -> service -> respond."""

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    """Register every API blueprint on the Api instance."""
    from mhu.api import audit, auth, calls, followups, health, metrics, persons

    for module in (health, auth, calls, followups, persons, audit, metrics):
        api.register_blueprint(module.blp)
    api.register_blueprint(metrics.partner_blp)

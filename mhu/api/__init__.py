"""The JSON API under /api/v1 (flask-smorest): parse -> service -> respond."""

from flask_smorest import Api


def register_blueprints(api: Api) -> None:
    """Register every API blueprint on the Api instance."""
    from mhu.api import audit, auth, calls, followups, health, persons

    for module in (health, auth, calls, followups, persons, audit):
        api.register_blueprint(module.blp)

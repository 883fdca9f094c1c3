"""MHU: crisis-call records and outcomes for police Mental Health Units."""

import os

from flask import Flask

from config import CONFIGS, INSTANCE_DIR


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application: extensions, auth, API, field pages, CLI, then the dashboard."""
    config_name = config_name or os.environ.get("MHU_CONFIG", "development")
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "validate"):
        config_class.validate()

    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(overrides)
    if config_name == "development" and not app.config.get("SECRET_KEY"):
        from config import local_secret_key

        app.config["SECRET_KEY"] = local_secret_key()

    from mhu import db_setup
    from mhu.extensions import api, db, migrate

    db.init_app(app)
    db_setup.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})

    from mhu import auth, cli, errors, security, web
    from mhu.services import metric_facts  # noqa: F401  (registers the after-flush refresh)
    from mhu.auth import csrf
    from mhu.api import register_blueprints

    auth.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    register_blueprints(api)
    web.init_app(app)
    cli.init_app(app)

    from mhu import field

    field.init_app(app)

    from dashboards import init_dashboard

    init_dashboard(app)
    return app

"""MHU: crisis-call records and outcomes for police Mental Health Units."""

import os

from flask import Flask

from config import CONFIGS, INSTANCE_DIR, local_secret_key
from dashboards import init_dashboard
from mhu import admin, api, cli, db_setup, errors, field, import_page, input_guard, login, security, survey_page, web
from mhu.auth import csrf
from mhu.extensions import db, migrate
from mhu.services import imports
from mhu.services.metrics import facts


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
        app.config["SECRET_KEY"] = local_secret_key()

    input_guard.init_app(app)
    db.init_app(app)
    db_setup.init_app(app)
    facts.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    api.init_app(app)
    login.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    web.init_app(app)
    admin.init_app(app)
    cli.init_app(app)
    field.init_app(app)
    survey_page.init_app(app)
    imports.init_app(app)
    import_page.init_app(app)
    init_dashboard(app)
    return app

"""flask commands: users, single sign-on, demo data, backup and restore, metric facts. Each module registers its own."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command group on the app's CLI."""
    from mhu.cli import backup, demo, metrics, reports, sso, users

    for module in (users, sso, demo, backup, metrics, reports):
        module.register(app)

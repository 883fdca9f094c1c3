"""flask commands: users, single sign-on, demo data, backup and restore, metric facts, imports. Each module
registers its own."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command group on the app's CLI."""
    from mhu.cli import backup, demo, imports, metrics, reminders, reports, sso, users

    for module in (users, sso, demo, backup, metrics, imports, reports, reminders):
        module.register(app)

"""flask commands."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the CLI commands."""
    return None

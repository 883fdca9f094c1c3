"""The Dash dashboard mounted at /dashboard/ (issue 3 builds it)."""

from flask import Flask


def init_dashboard(app: Flask) -> None:
    """Mount the dashboard on the Flask server."""
    return None

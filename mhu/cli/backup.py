"""flask commands: backup."""

from flask import Flask


def register(app: Flask) -> None:
    """Add this module's commands to the app."""

"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from mhu import create_app

app = create_app()

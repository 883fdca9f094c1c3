"""Running the Alembic migrations in-process from tests."""

import logging
from contextlib import contextmanager
from pathlib import Path

import flask_migrate

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


@contextmanager
def preserved_logging():
    """migrations/env.py runs logging.fileConfig, which disables every existing logger and
    replaces the root handlers; put them back so later tests still see their logs."""
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))
    loggers = {name: (lg.disabled, lg.level) for name, lg in logging.Logger.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    try:
        yield
    finally:
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]
        for name, (disabled, level) in loggers.items():
            logger = logging.getLogger(name)
            logger.disabled, logger.level = disabled, level


def upgrade(revision="head"):
    with preserved_logging():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=revision)


def downgrade(revision):
    with preserved_logging():
        flask_migrate.downgrade(directory=MIGRATIONS, revision=revision)

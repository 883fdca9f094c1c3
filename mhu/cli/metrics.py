"""flask commands: metrics (rebuild the precomputed metric facts)."""

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from mhu.extensions import db
from mhu.services.metrics import facts as metric_facts


@click.group("metrics")
def metrics_group() -> None:
    """Precomputed metric facts behind the dashboard."""


@metrics_group.command("refresh")
@click.option("--if-stale", is_flag=True,
              help="Only when the facts were built by another version or REPEAT_WINDOW_DAYS (or never).")
@with_appcontext
def refresh(if_stale: bool) -> None:
    """Recompute every agency's metric facts from the records (after an upgrade or a config change)."""
    if if_stale and not metric_facts.is_stale():
        click.echo("Metric facts are up to date.")
        return
    started = time.perf_counter()
    metric_facts.rebuild()
    db.session.commit()
    click.echo(f"Metric facts rebuilt in {time.perf_counter() - started:.1f} s.")


def register(app: Flask) -> None:
    app.cli.add_command(metrics_group)

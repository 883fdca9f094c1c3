"""flask commands: reminders (email follow-up reminders) and surveys (drop expired links); both meant
for cron or a systemd timer."""

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from mhu.services import reminders, surveys


@click.group("reminders")
def reminders_group() -> None:
    """Follow-up reminders by email."""


@reminders_group.command("send")
@with_appcontext
def send() -> None:
    """Email each assignee about follow-ups due soon or overdue (each reminder once). Exits 1 when a
    message could not be sent; its reminders stay unsent and the next run tries them again."""
    result = reminders.send_due()
    click.echo(f"Reminders: {result.sent_messages} message(s) sent covering {result.sent_reminders} reminder(s).")
    if not result.ok:
        click.echo(f"Reminders: {result.failed_messages} message(s) NOT sent; they will be retried on the next run.",
                   err=True)
        for error in result.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)


@click.group("surveys")
def surveys_group() -> None:
    """Anonymous survey links."""


@surveys_group.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """Delete expired survey links (an unused link is the only record tying a survey to a call)."""
    click.echo(f"Survey links: {surveys.purge_expired()} expired link(s) deleted.")


def register(app: Flask) -> None:
    app.cli.add_command(reminders_group)
    app.cli.add_command(surveys_group)

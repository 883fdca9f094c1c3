"""flask commands: demo."""

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from mhu.cli.users import report_error
from mhu.services import ServiceError
from mhu.services.demo import demo_exists, demo_users, generate_demo


def _configured_password() -> str | None:
    return os.environ.get("MHU_DEMO_PASSWORD") or current_app.config.get("DEMO_PASSWORD") or None


def _store_password(path: Path, password: str) -> None:
    """Keep a generated password for later starts, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)


def _print_users(password: str | None) -> None:
    shown = password or "(set when the demo was loaded; not stored here)"
    click.echo(f"Demo users (password: {shown}):")
    for user in demo_users():
        teams = ", ".join(team.name for team in user.teams) or "-"
        click.echo(f"  {user.role:<11} {user.email:<24} {user.agency.name} / {teams}")


@click.command("demo")
@click.option("--calls", type=click.IntRange(1, 10_000_000), default=20_000, show_default=True,
              help="Number of calls to generate.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--years", type=click.IntRange(1, 10), default=2, show_default=True,
              help="Calls spread over this many years up to now.")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store a generated password here (mode 0600) and print it on later runs.")
@with_appcontext
def demo_command(calls, seed, years, password_file):
    """Load a demo agency with teams, persons, calls, referrals, follow-ups and one user per role."""
    password = _configured_password()
    if demo_exists():
        if password is None and password_file is not None and password_file.exists():
            password = password_file.read_text().strip()
        click.echo("Demo data is already loaded; nothing added.")
        _print_users(password)
        return
    click.echo(f"Generating {calls:,} demo calls (seed {seed}, {years} years)...", err=True)

    def progress(done: int, total: int) -> None:
        if total >= 50_000 and (done % 50_000 < 5_000 or done == total):
            click.echo(f"  {done:,} / {total:,} calls", err=True)

    try:
        summary = generate_demo(calls=calls, seed=seed, years=years, password=password, progress=progress)
    except ServiceError as error:
        report_error(error)
        sys.exit(1)
    if password_file is not None:
        if summary["password_generated"]:
            _store_password(password_file, summary["password"])
        elif password_file.exists():
            password_file.unlink()  # a leftover from an earlier database would print a wrong password
    click.echo(
        f"Loaded demo data for {summary['agency']} (seed {seed}): {summary['calls']:,} calls, "
        f"{summary['persons']:,} persons, {summary['referrals']:,} referrals, "
        f"{summary['followups']:,} follow-ups with {summary['attempts']:,} attempts, "
        f"in {summary['seconds']} s."
    )
    _print_users(summary["password"])


def register(app: Flask) -> None:
    """Add this module's commands to the app."""
    app.cli.add_command(demo_command)

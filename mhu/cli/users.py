"""flask commands: users.

The password is never an argument (argv shows in `ps` and shell history): it is read from a
hidden prompt with confirmation on a terminal, or as one line from stdin otherwise.
"""

import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask
from flask.cli import with_appcontext

from mhu.enums import CIT_LEVELS, ROLES
from mhu.extensions import db
from mhu.services import ServiceError, mfa
from mhu.services.agencies import get_or_create_agency, get_or_create_team
from mhu.services.users import change_role, create_user, deactivate_user, find_user


def read_password() -> str:
    """The new password: prompted twice on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _valid_timezone(_ctx, _param, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{value!r} is not an IANA time zone (e.g. America/Chicago).") from None
    return value


def report_error(error: ServiceError) -> None:
    """Print a service error and its per-field reasons to stderr."""
    click.echo(f"Error: {error.message}", err=True)
    for field, reasons in error.errors.items():
        for reason in reasons:
            click.echo(f"  {field}: {reason}", err=True)


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@click.option("--agency", "agency_name", required=True, help="Agency name; created if new.")
@click.option("--team", "team_names", multiple=True, help="Team of the agency (repeatable); created if new.")
@click.option("--cit-level", type=click.Choice(CIT_LEVELS), default="none", show_default=True)
@click.option("--timezone", "tz_name", default="America/Chicago", show_default=True,
              callback=_valid_timezone, help="IANA time zone of the agency when it is created.")
@click.option("--name", "display_name", default=None, help="Display name.")
@with_appcontext
def create_user_command(email, role, agency_name, team_names, cit_level, tz_name, display_name):
    """Create a user; the password is read from a prompt or stdin, never from the command line."""
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        click.echo(f"Error: {email!r} is not an email address.", err=True)
        sys.exit(2)
    password = read_password()
    try:
        agency = get_or_create_agency(name=agency_name.strip(), timezone=tz_name)
        teams = [get_or_create_team(agency=agency, name=name.strip()) for name in team_names]
        user = create_user(
            email=email, password=password, role=role, agency=agency, display_name=display_name,
            cit_level=cit_level, teams=teams,
        )
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()  # the agency and teams made above go too
        report_error(error)
        sys.exit(1)
    team_text = f", teams: {', '.join(t.name for t in user.teams)}" if user.teams else ""
    click.echo(f"Created {user.role} {user.email} in {agency.name} ({agency.timezone}){team_text}.")


def register(app: Flask) -> None:
    """Add this module's commands to the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_role_command)
    app.cli.add_command(deactivate_user_command)
    app.cli.add_command(reset_mfa_command)


def _existing_user(email: str):
    user = find_user(email=email)
    if user is None:
        click.echo(f"Error: no user {email!r}.", err=True)
        sys.exit(1)
    return user


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def set_role_command(email, role):
    """Change a user's role; their sessions and tokens end (audited as a permission change)."""
    user = _existing_user(email)
    change_role(user=user, role=role, actor=None)
    click.echo(f"{user.email} is now {user.role}; their sessions and tokens were ended.")


@click.command("deactivate-user")
@click.argument("email")
@with_appcontext
def deactivate_user_command(email):
    """Deactivate a user: sessions end and tokens are revoked at once (audited)."""
    user = _existing_user(email)
    deactivate_user(user=user, actor=None)
    click.echo(f"{user.email} is deactivated.")


@click.command("reset-mfa")
@click.argument("email")
@with_appcontext
def reset_mfa_command(email):
    """Remove a user's authenticator and recovery codes (lost phone); they set it up again at next login."""
    user = _existing_user(email)
    mfa.reset(user=user, actor=None)
    click.echo(f"{user.email}: two-step sign-in reset; their sessions were ended.")

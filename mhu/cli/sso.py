"""flask command: configure an agency's single sign-on provider.

The client secret is never an argument (argv shows in `ps`): it is read from a hidden prompt, or
as one line from stdin.
"""

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from mhu.cli.users import report_error
from mhu.extensions import db
from mhu.models import Agency
from mhu.services import ServiceError, sso


def register(app: Flask) -> None:
    """Add this module's commands to the app."""
    app.cli.add_command(configure_sso_command)


def _role_map(_ctx, _param, pairs: tuple[str, ...]) -> dict:
    mapping = {}
    for pair in pairs:
        value, separator, role = pair.partition("=")
        if not separator or not value or not role:
            raise click.BadParameter(f"{pair!r}: write CLAIM_VALUE=ROLE, e.g. mhu-officers=officer")
        mapping[value] = role
    return mapping


@click.command("configure-sso")
@click.option("--agency", "agency_name", required=True, help="The agency, by name.")
@click.option("--issuer", required=True, help="The provider's issuer URL (its discovery document lives below it).")
@click.option("--client-id", required=True, help="MHU's client id at the provider.")
@click.option("--role-claim", default=None, help="ID-token claim carrying the user's groups or role.")
@click.option("--role", "role_map", multiple=True, callback=_role_map,
              help="CLAIM_VALUE=ROLE, repeatable: which claim values give which MHU role.")
@click.option("--disable-passwords", is_flag=True, help="This agency's users may sign in only through the provider.")
@with_appcontext
def configure_sso_command(agency_name, issuer, client_id, role_claim, role_map, disable_passwords):
    """Set the agency's OpenID Connect provider; the client secret is read from a prompt or stdin."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == agency_name))
    if agency is None:
        click.echo(f"Error: no agency {agency_name!r}.", err=True)
        sys.exit(1)
    secret = (click.prompt("Client secret", hide_input=True) if sys.stdin.isatty()
              else sys.stdin.readline().rstrip("\r\n"))
    try:
        sso.configure(agency=agency, issuer=issuer, client_id=client_id, client_secret=secret,
                      role_claim=role_claim, role_map=role_map, local_passwords_disabled=disable_passwords)
    except ServiceError as error:
        report_error(error)
        sys.exit(1)
    click.echo(f"{agency.name}: single sign-on through {issuer}"
               + (" only (local passwords off)." if disable_passwords else "."))

"""flask commands: backup and restore (see docs/security.md, "Backup and restore"), and the
system operator's export of agency-less audit events."""

import click
import sqlalchemy as sa
from flask import Flask, current_app

from mhu.db_roles import app_role_name, grant_app_role
from mhu.extensions import db
from mhu.services import audit, audit_query
from mhu.services.backup import BackupError, backup_database, restore_database


def _url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _owner_url() -> str:
    """Where a restore connects: only the tables' owner may drop and recreate them, and with the
    two PostgreSQL roles of docs/deploy-postgresql.md that is MIGRATION_DATABASE_URL's role."""
    return current_app.config.get("MIGRATION_DATABASE_URI") or _url()


def _grant_app_role_again() -> None:
    """The restored tables are new objects: give the app role what `db upgrade` gives it (the
    backup's own grants are not restored, since they name roles another server may not have)."""
    owner_url = current_app.config.get("MIGRATION_DATABASE_URI")
    role = app_role_name(_url(), owner_url)
    if role is None:
        return
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            grant_app_role(connection, role)
    finally:
        engine.dispose()


def register(app: Flask) -> None:
    """Add this module's commands to the app."""

    @app.cli.command("audit-export")
    @click.option("--system", is_flag=True, required=True,
                  help="Events that belong to no agency (CLI actions, failed logins for unknown emails).")
    def audit_export_command(system):
        """Print the audit events that no agency's administrator sees, as CSV (system operators)."""
        body, count = audit_query.export_system_csv()
        click.echo(body, nl=False)
        click.echo(f"{count} events", err=True)

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    def backup_command(path):
        """Write a consistent online backup of the database to PATH."""
        # Recorded first, so the backup itself shows that (and when) it was taken.
        audit.record(action="backup.create", actor=None, object_type="database", commit=True)
        try:
            result = backup_database(url=_url(), path=path, pg_bin=current_app.config.get("PG_BIN"))
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backup written to {result.path} ({result.bytes} bytes, {result.seconds:.1f} s).")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Confirm that the current database is to be replaced.")
    def restore_command(path, yes):
        """Replace the whole database with the backup at PATH (stop the app servers first)."""
        if not yes:
            raise click.ClickException(
                "This replaces every record in the database with the backup. Stop the app servers, "
                "then run again with --yes."
            )
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold a lock on the tables being replaced
        try:
            result = restore_database(url=_owner_url(), path=path, pg_bin=current_app.config.get("PG_BIN"))
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        _grant_app_role_again()
        audit.record(action="backup.restore", actor=None, object_type="database", commit=True)
        click.echo(f"Database restored from {result.path} ({result.seconds:.1f} s).")

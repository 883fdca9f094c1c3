"""flask import-calls: a CSV or XLSX file into an agency's calls through a mapping profile.

Exit status: 0 when the file was processed (rejected rows included), 1 when the profile or the
file cannot be used, 2 for bad arguments (click's own usage errors are 2 as well).
"""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from mhu.extensions import db
from mhu.models import Agency, ImportBatch, Team
from mhu.services import imports
from mhu.services.agencies import get_or_create_agency, get_or_create_team
from mhu.services.imports.profile import ProfileError, load_profile
from mhu.services.imports.reader import write_rejects

COUNTS = ("created", "updated", "unchanged", "rejected", "warnings")


def _fail(lines: list[str], status: int = 1):
    for line in lines:
        click.echo(f"Error: {line}" if line is lines[0] else f"  {line}", err=True)
    sys.exit(status)


def _team(agency: Agency, name: str | None) -> Team:
    if name:
        return get_or_create_team(agency=agency, name=name)
    team = db.session.scalar(sa.select(Team).where(Team.agency_id == agency.id, Team.active.is_(True))
                             .order_by(Team.id))
    return team or get_or_create_team(agency=agency, name="Imported calls")


@click.command("import-calls")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mapping profile (JSON, version 1; docs/import/README.md).")
@click.option("--agency", "agency_name", required=True, help="Agency name; created (in the profile's zone) if new.")
@click.option("--team", "team_name", default=None, help="Team the calls are recorded for (default: the agency's first).")
@click.option("--dry-run", is_flag=True, help="Map and count every row, write nothing.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write rejected rows (original columns plus mhu_errors) to this CSV.")
@click.option("--sheet", default=None, help="XLSX: the sheet to read (default: the first).")
@with_appcontext
def import_calls_command(file, mapping_path, agency_name, team_name, dry_run, rejects_path, sheet):
    """Import calls from FILE (CSV or XLSX) with a mapping profile."""
    try:
        profile = load_profile(mapping_path.read_bytes())
    except ProfileError as error:
        _fail([f"the mapping profile {mapping_path} cannot be used:", *error.problems])
    agency = get_or_create_agency(name=agency_name, timezone=profile.timezone)
    team = _team(agency, team_name)
    actor = imports.importer_account(agency)
    batch = imports.create_batch(actor=actor, agency=agency, team=team, profile=profile, source=file,
                                 filename=file.name, dry_run=dry_run, sheet=sheet, keep_copy=False)
    batch = _run_with_progress(batch)
    if batch.status == "failed":
        _fail([f"{file} was not imported:", *batch.failure.split("; ")])
    if dry_run:
        click.echo("dry run: nothing was written; the counts say what an import would do")
    for name in COUNTS:
        click.echo(f"{name} {getattr(batch, name)}")
    if batch.skipped:  # rows repeating a key, left out as duplicate_keys says
        click.echo(f"skipped {batch.skipped}")
    if rejects_path is not None:
        with open(rejects_path, "w", encoding="utf-8-sig", newline="") as handle:
            write_rejects(handle, batch.columns or [], imports.rejects(batch=batch))
        click.echo(f"rejected rows written to {rejects_path}")
    click.echo(f"batch {batch.id}")


def _run_with_progress(batch: ImportBatch) -> ImportBatch:
    """Run the batch; on a terminal, with a progress bar over the file's rows."""
    if not sys.stderr.isatty():
        return imports.run(batch)
    bar = None

    def progress(rows: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=batch.rows_total or 0, label="Importing", file=sys.stderr)
            bar.__enter__()
        bar.update(rows)

    try:
        return imports.run(batch, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@click.command("import-resume")
@with_appcontext
def import_resume_command():
    """Resume (or end as failed) import batches a stopped server left running."""
    resumed = imports.recover_interrupted(inline=True)
    click.echo(f"resumed {len(resumed)}")


def register(app: Flask) -> None:
    app.cli.add_command(import_calls_command)
    app.cli.add_command(import_resume_command)

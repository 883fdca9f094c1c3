"""flask commands: `report command` and `report partner` (the reports as PDF or HTML, for
scheduled sending) and `import-training` (a CIT training roster from CSV)."""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from mhu.extensions import db
from mhu.models import Agency
from mhu.services import ServiceError, audit, training
from mhu.services.reports import PeriodError, command_report, parse_period


def _agency(name: str) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == name))
    if agency is None:
        click.echo(f"Error: no agency named {name!r}.", err=True)
        sys.exit(2)
    return agency


@click.group("report")
def report_group() -> None:
    """Reports of aggregates (no identified records)."""


def _report_options(command):
    """The options every report command takes."""
    for option in reversed((
        click.option("--period", required=True, help="A month (2026-11), a quarter (2026-Q3) or a year (2026)."),
        click.option("--agency", "agency_name", required=True, help="Agency name."),
        click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="Output file: .pdf for PDF, .html for HTML."),
        click.option("--paper", type=click.Choice(("a4", "letter")), default="a4", show_default=True),
    )):
        command = option(command)
    return command


def _write_report(kind: str, period: str, agency_name: str, out: Path, paper: str) -> None:
    """Build one report (command or partner) for a period and agency and write it as PDF or HTML."""
    import mhu.reports as command_drawing
    from mhu.reports import partner as partner_drawing
    from mhu.services.reports.partner import partner_report

    build, drawing = {"command": (command_report, command_drawing),
                      "partner": (partner_report, partner_drawing)}[kind]
    try:
        parsed = parse_period(period)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    report = build(agency_id=_agency(agency_name).id, period=parsed)
    if out.suffix.lower() == ".html":
        out.write_text(drawing.render_html(report, inline_css=True), encoding="utf-8")
    else:
        out.write_bytes(drawing.render_pdf(report, paper=paper))
    audit.record(action=f"reports.{kind}.export", actor=None, object_type="report", object_id=parsed.key, commit=True)
    click.echo(f"Wrote the {kind} report for {parsed.label} to {out}.")


@report_group.command("command")
@_report_options
@with_appcontext
def command_report_command(period, agency_name, out, paper):
    """Write the command report of a period for an agency to a PDF or HTML file."""
    _write_report("command", period, agency_name, out, paper)


@report_group.command("partner")
@_report_options
@with_appcontext
def partner_report_command(period, agency_name, out, paper):
    """Write the partner report (suppressed publication grid only) of a period to a PDF or HTML file."""
    _write_report("partner", period, agency_name, out, paper)


@click.command("import-training")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_name", required=True, help="Agency whose officers the roster lists.")
@with_appcontext
def import_training_command(file, agency_name):
    """Import a CIT training roster CSV: email,course,hours,completed_on[,certifying_body] (docs/cli.md)."""
    agency = _agency(agency_name)
    try:
        result = training.import_csv(text=training.decode_csv(file.read_bytes()), agency_id=agency.id)
    except ServiceError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    click.echo(f"added {result['added']}")
    click.echo(f"skipped {result['skipped']} (already recorded)")
    click.echo(f"rejected {len(result['rejected'])}")
    for row in result["rejected"]:
        click.echo(f"  line {row['line']}: {row['reason']}", err=True)
    if result["rejected"]:
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(report_group)
    app.cli.add_command(import_training_command)

"""Reports for command staff and funders: the command report (HTML or PDF) and the grant CSV."""

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import RAISE

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import audit
from mhu.services.reports import command_report, federal_quarter, jmhcp, parse_period
from mhu.services.reports.partner import partner_report
from schemas.reports import (
    CommandReportQuerySchema,
    JmhcpQuerySchema,
    PartnerReportQuerySchema,
)

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Agency-wide reports of aggregates (no identified records): the command report and "
                            "grant export for supervisors, the suppressed partner report for partners and supervisors")

command_staff = requires(policy.can_read_command_reports)


def wants_pdf(query: dict) -> bool:
    """`format` decides; without it, an Accept header preferring application/pdf."""
    if query.get("format"):
        return query["format"] == "pdf"
    return request.accept_mimetypes.best_match(["text/html", "application/pdf"]) == "application/pdf"


@blp.route("/command")
@command_staff
@blp.arguments(CommandReportQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/html", description="The report as an HTML page (or application/pdf)")
@blp.alt_response(200, content_type="application/pdf", description="The report as PDF", success=True)
@documented_errors(blp, 401, 403, 422)
def command(query):
    """The command report of a month (2026-11), quarter (2026-Q3) or year (2026) for the whole agency."""
    import mhu.reports as drawing

    return _report_response("command", command_report, drawing, query)


@blp.route("/partner")
@requires(policy.can_read_partner_reports)
@blp.arguments(PartnerReportQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/html", description="The report as an HTML page (or application/pdf)")
@blp.alt_response(200, content_type="application/pdf", description="The report as PDF", success=True)
@documented_errors(blp, 401, 403, 422)
def partner(query):
    """The partner report of a month, quarter or year: the publication grid's suppressed cells only."""
    from mhu.reports import partner as drawing

    return _report_response("partner", partner_report, drawing, query)


def _report_response(kind: str, build, drawing, query: dict) -> Response:
    """Build a report of the caller's agency, audit the read, answer HTML or PDF as asked."""
    user = actor()
    period = parse_period(query["period"])
    report = build(agency_id=user.agency_id, period=period)
    audit.record(action=f"reports.{kind}.read", actor=user, object_type="report", object_id=period.key, commit=True)
    if wants_pdf(query):
        name = f"mhu-{kind}-report-{period.key}.pdf"
        return Response(drawing.render_pdf(report, paper=query["paper"]), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})
    return Response(drawing.render_html(report), mimetype="text/html")


@blp.route("/jmhcp")
@command_staff
@blp.arguments(JmhcpQuerySchema, location="query", unknown=RAISE)
@blp.response(200, content_type="text/csv", description="One row per measure and category")
@documented_errors(blp, 401, 403, 422)
def jmhcp_csv(query):
    """JMHCP-style performance measures for a federal quarter (Oct-Dec = Q1), as CSV."""
    user = actor()
    period = federal_quarter(query["fiscal_year"], query["quarter"])
    rows = jmhcp.measures(agency_id=user.agency_id, fiscal_year=query["fiscal_year"], quarter=query["quarter"])
    audit.record(action="reports.jmhcp.read", actor=user, object_type="report",
                 object_id=f"FY{query['fiscal_year']}-Q{query['quarter']}", commit=True)
    name = f"mhu-jmhcp-FY{query['fiscal_year']}-Q{query['quarter']}.csv"
    return Response(jmhcp.to_csv(rows, period=period), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

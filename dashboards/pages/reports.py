"""Reports: the command report of recent months, quarters and years (HTML or PDF) and the
quarterly grant export for supervisors; the partner report (publication grid only) for partners
and supervisors. The documents are drawn by the reports API; this page lists them and offers a
form for any other period."""

from dash import dcc, html

from dashboards.components import page
from dashboards.frame import register_page
from mhu.auth import policy
from mhu.services.localtime import agency_today
from mhu.services.reports.periods import (
    PERIOD_HELP,
    Period,
    recent_federal_quarters,
    recent_periods,
)

COMMAND = "/api/v1/reports/command"
JMHCP = "/api/v1/reports/jmhcp"
PARTNER = "/api/v1/reports/partner"


def _links(period: Period, endpoint: str = COMMAND, name: str = "Command report") -> html.Li:
    base = f"{endpoint}?period={period.key}"
    return html.Li([
        html.Span(f"{period.label}: ", className="fw-semibold"),
        html.A("web page", href=f"{base}&format=html", target="_blank",
               **{"aria-label": f"{name} {period.label} as a web page"}), " · ",
        html.A("PDF (A4)", href=f"{base}&format=pdf&paper=a4", target="_blank",
               **{"aria-label": f"{name} {period.label} as PDF, A4"}), " · ",
        html.A("PDF (US Letter)", href=f"{base}&format=pdf&paper=letter", target="_blank",
               **{"aria-label": f"{name} {period.label} as PDF, US Letter"}),
    ], className="mb-2")


def _partner_section(today) -> html.Section:
    """The partner report: recent periods and a form for any other (ids prefixed partner-)."""
    return html.Section([
        html.H2("Partner report", className="h5"),
        html.P("For community partners and funders: the same measures from the publication grid only (whole "
               "months, quarters and years; configured districts), small counts shown as \"<11\" (the agency's "
               "threshold), rates in percent, an outcome and diversion trend. No names, no lists of persons.",
               className="small text-muted"),
        html.Ul([_links(period, PARTNER, "Partner report") for period in recent_periods(today)],
                className="list-unstyled", id="partner-report-links"),
        _form(PARTNER, "partner-"),
    ], **{"aria-label": "Partner report"})


def _form(action: str = COMMAND, prefix: str = "") -> html.Form:
    return html.Form([
        html.Label("Period", htmlFor=f"{prefix}report-period", className="form-label"),
        html.Div([
            dcc.Input(id=f"{prefix}report-period", name="period", type="text", className="form-control",
                      required=True, placeholder="2026-11", style={"maxWidth": "12rem"}),
            html.Select([html.Option("PDF", value="pdf"), html.Option("Web page", value="html")], name="format",
                        id=f"{prefix}report-format", className="form-select", style={"maxWidth": "12rem"},
                        **{"aria-label": "Format"}),
            html.Select([html.Option("A4", value="a4"), html.Option("US Letter", value="letter")], name="paper",
                        id=f"{prefix}report-paper", className="form-select", style={"maxWidth": "12rem"},
                        **{"aria-label": "Paper size"}),
            html.Button("Open partner report" if prefix else "Open report", type="submit",
                        className="btn btn-primary"),
        ], className="d-flex gap-3 flex-wrap align-items-center"),
        html.P(PERIOD_HELP, id=f"{prefix}report-period-help", className="small text-muted mt-1"),
    ], action=action, method="get", target="_blank", className="mb-4")


@register_page("reports")
def layout(view):
    """Links to the reports the user may read for recent periods, with a form for any period."""
    today = agency_today(view.user.agency_id)
    if not policy.can_read_command_reports(view.user):  # partners: the partner report only
        return page("Reports", "The partner report for the agency: de-identified aggregates with small counts "
                    "suppressed, as a web page or PDF.", _partner_section(today))
    return page(
        "Reports",
        "The command report for the whole agency: headline statements, every measure with its definition, "
        "numerator and denominator and the change against the previous period and the same period last year, "
        "trends over the last 13 months, outcomes, intercepts, response times, follow-up, repeat contacts and "
        "data quality. Aggregates only: no names, no lists of persons.",
        html.Section([html.H2("Command report", className="h5"),
                      html.Ul([_links(period) for period in recent_periods(today)], className="list-unstyled"),
                      _form()], **{"aria-label": "Command report"}),
        _partner_section(today),
        html.Section([
            html.H2("Grant reporting (JMHCP-style measures, CSV)", className="h5"),
            html.P("Quarterly measures by federal quarter (October to December is Q1); see "
                   "docs/grant-reporting.md for what each measure counts.", className="small text-muted"),
            html.Ul([html.Li(html.A(label, href=f"{JMHCP}?fiscal_year={year}&quarter={quarter}"))
                     for year, quarter, label in recent_federal_quarters(today)]),
        ], **{"aria-label": "Grant reporting"}),
    )

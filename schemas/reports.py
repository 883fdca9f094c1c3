"""Report queries: the command report's period and output, the grant export's federal quarter."""

from marshmallow import ValidationError, fields, validate, validates

from mhu.services.reports.periods import PERIOD_HELP, PeriodError, parse_period
from schemas.common import StrictSchema, enum_field


class CommandReportQuerySchema(StrictSchema):
    period = fields.String(required=True, metadata={"description": PERIOD_HELP, "example": "2026-11"})
    format = enum_field(("html", "pdf"), load_default=None, metadata={
        "description": "html or pdf; without it, the Accept header decides (application/pdf: PDF), else HTML."})
    paper = enum_field(("a4", "letter"), load_default="a4", metadata={"description": "PDF paper size."})

    @validates("period")
    def check_period(self, value, **kwargs):
        try:
            parse_period(value)
        except PeriodError as error:
            raise ValidationError(str(error)) from None


class JmhcpQuerySchema(StrictSchema):
    fiscal_year = fields.Integer(strict=False, required=True, validate=validate.Range(min=2000, max=2100),
                                 metadata={"description": "U.S. federal fiscal year (FY2027 starts 2026-10-01)."})
    quarter = fields.Integer(strict=False, required=True, validate=validate.OneOf((1, 2, 3, 4)), metadata={
        "description": "Federal quarter: 1 = Oct-Dec, 2 = Jan-Mar, 3 = Apr-Jun, 4 = Jul-Sep."})


class PartnerReportQuerySchema(CommandReportQuerySchema):
    """The partner report's period (a whole month, quarter or year) and output."""

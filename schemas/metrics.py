"""Metric queries and results (identified dashboards and partner tables)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mhu import enums
from mhu.services.metrics import (
    BREAKDOWNS,
    CALL_RATES,
    EXTRA_BREAKDOWNS,
    describe,
    metric,
)
from mhu.services.metrics.partner import PARTNER_TABLES
from schemas.common import Day, StrictSchema, enum_field, id_field, text

MAX_PERIOD_DAYS = 3700  # ten years: longer ranges are a typo, not a question


class PeriodQuerySchema(StrictSchema):
    date_from = Day(data_key="from", load_default=None, metadata={
        "description": "First local date, inclusive (YYYY-MM-DD, the agency's time zone). Default: 12 months before "
        f"`to`. Not after `to`; the period spans at most {MAX_PERIOD_DAYS} days."})
    date_to = Day(data_key="to", load_default=None, metadata={
        "description": "Last local date, inclusive (YYYY-MM-DD). Default: today in the agency's time zone. "
        "Not before `from`."})

    @validates_schema
    def check_order(self, data, **kwargs):
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            raise ValidationError({"to": ["Must not be before `from`."]})
        if first and last and (last - first).days > MAX_PERIOD_DAYS:
            raise ValidationError({"from": [f"The period may span at most {MAX_PERIOD_DAYS} days."]})


class MetricsQuerySchema(PeriodQuerySchema):
    team_id = id_field(strict=False)
    district = text(40)
    call_source = enum_field(enums.CALL_SOURCES)
    sim_intercept = fields.Integer(strict=False, validate=validate.OneOf(enums.SIM_INTERCEPTS))


class SeriesQuerySchema(MetricsQuerySchema):
    interval = enum_field(("day", "week", "month"), load_default="month")


class DurationQuerySchema(MetricsQuerySchema):
    measure = enum_field(("response", "response_from_received", "on_scene"), load_default="response")


class PartnerQuerySchema(StrictSchema):
    """One whole calendar month, quarter or year, or twelve consecutive whole months
    (services/metrics/partner.publication_cells); neither end: the last twelve whole months."""

    date_from = Day(data_key="from", load_default=None, metadata={
        "description": "The first day of a calendar month, quarter or year (or of twelve whole months). Without "
                       "`from` and `to`: the last twelve whole months before the current, partial one."})
    date_to = Day(data_key="to", load_default=None, metadata={
        "description": "The last day of the same month, quarter or year; any other period answers 422."})


class RateSchema(Schema):
    numerator = fields.Integer()
    denominator = fields.Integer()
    value = fields.Float(allow_none=True, metadata={"description": "numerator / denominator; null when 0"})


class DurationSchema(Schema):
    median_seconds = fields.Float(allow_none=True)
    p90_seconds = fields.Float(allow_none=True)


_RATE_NAMES = (*CALL_RATES, "repeat_contact_rate", "repeat_call_share", "followup_timeliness",
               "followup_completion", "recrisis_after_followup")

def _documented(key: str) -> dict:
    """OpenAPI metadata of a metric from the registry (definitions with the default windows)."""
    entry = metric(key)
    return {"metadata": {"title": entry.title, "description": describe(key)}}


SummarySchema = Schema.from_dict(
    {
        "call_volume": fields.Integer(**_documented("call_volume")),
        "high_utilizers": fields.Integer(**_documented("high_utilizers")),
        **{name: fields.Nested(RateSchema, **_documented(name)) for name in _RATE_NAMES},
        "response_time": fields.Nested(DurationSchema, **_documented("response_time")),
        "time_on_scene": fields.Nested(DurationSchema, **_documented("time_on_scene")),
    },
    name="MetricsSummary",
)

SeriesPointSchema = Schema.from_dict(
    {"period": fields.String(metadata={"description": "First local date of the bucket"}),
     "call_volume": fields.Integer(), **{name: fields.Nested(RateSchema) for name in CALL_RATES}},
    name="MetricsSeriesPoint",
)


class BreakdownRowSchema(Schema):
    key = fields.String()
    count = fields.Integer()
    direction = fields.String(metadata={"description": "transfers only: in or out"})
    value = fields.String(metadata={"description": "transfers only: the transfer partner"})


class HourWeekdaySchema(Schema):
    weekday = fields.Integer(metadata={"description": "0 = Monday"})
    hour = fields.Integer(metadata={"description": "Local hour 0-23"})
    count = fields.Integer()


class FlowLinkSchema(Schema):
    intercept = fields.Integer()
    disposition = fields.String()
    outcome = fields.String()
    count = fields.Integer()


class DurationBinSchema(Schema):
    from_minutes = fields.Integer()
    to_minutes = fields.Integer(allow_none=True)
    count = fields.Integer()


class DurationResultSchema(DurationSchema):
    bins = fields.List(fields.Nested(DurationBinSchema))


class HighUtilizerSchema(Schema):
    person_id = fields.UUID()
    name = fields.String(allow_none=True)
    contacts = fields.Integer()
    last_contact_at = fields.AwareDateTime(format="iso")


class FollowupMetricsSchema(Schema):
    open_due = fields.Integer(**_documented("open_followups_due"))
    open_overdue = fields.Integer(**_documented("open_followups_overdue"))
    due_in_period = fields.Integer()
    closed = fields.Integer()
    attempted = fields.Integer()
    timeliness = fields.Nested(RateSchema, **_documented("followup_timeliness"))
    completion = fields.Nested(RateSchema, **_documented("followup_completion"))


class DataQualitySchema(Schema):
    calls = fields.Integer()
    missing_disposition = fields.Integer(**_documented("missing_disposition"))
    missing_intercept = fields.Integer(**_documented("missing_intercept"))
    missing_times = fields.Integer(**_documented("missing_times"))
    missing_person = fields.Integer(**_documented("missing_person"))
    late_notes = fields.Integer(**_documented("late_notes"))


class PartnerTableSchema(Schema):
    title = fields.String()
    date_from = fields.Date(attribute="from", data_key="from", metadata={"description": "First day of the period answered"})
    date_to = fields.Date(attribute="to", data_key="to", metadata={"description": "Last day of the period answered"})
    threshold = fields.Integer(metadata={"description": "Counts from 1 to threshold - 1 are hidden"})
    columns = fields.List(fields.String())
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "outcomes only: a title per column; the rates carry the summary API's metric keys "
                       "(jail_diversion_rate, resolved_in_community, ed_use) and the registry's titles"})
    rows = fields.List(fields.Dict(), metadata={
        "description": "One object per period (`period`: 2026-03, 2026-Q1 or 2026): column -> count or rate; "
                       "null = suppressed"})


BREAKDOWN_NAMES = tuple(name for name in (*BREAKDOWNS, *EXTRA_BREAKDOWNS) if name != "hour_weekday")
PARTNER_TABLE_NAMES = PARTNER_TABLES


MAX_CIT_MONTHS = 120


class CitShareQuerySchema(PeriodQuerySchema):
    """Whole months from the month of `from` to the month of `to`; default: the last 12 whole months."""

    @validates_schema
    def check_length(self, data, **kwargs):
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and (last.year - first.year) * 12 + last.month - first.month >= MAX_CIT_MONTHS:
            raise ValidationError({"from": [f"The series may span at most {MAX_CIT_MONTHS} months."]})


class CitSharePointSchema(Schema):
    month = fields.String(metadata={"description": "Local calendar month, YYYY-MM", "example": "2026-11"})
    calls = fields.Integer(metadata={"description": "Located calls (C′) of the month"})
    calls_with_cit_officer = fields.Integer(metadata={"description": "Located calls with a CIT-trained officer on scene"})
    share = fields.Float(allow_none=True, metadata={"description": "calls_with_cit_officer / calls (cit_presence); "
                                                                    "null when there were no located calls"})
    sworn_officers = fields.Integer(metadata={"description": "Active officers and supervisors (today's roster)"})
    sworn_with_40h = fields.Integer(metadata={
        "description": "Of them, those with at least 40 CIT hours completed by the month's last day"})
    officer_share = fields.Float(allow_none=True, metadata={
        "description": "sworn_with_40h / sworn_officers (cit_trained_officers); null without sworn officers"})


class DemographicRowSchema(Schema):
    key = fields.String()
    label = fields.String()
    calls = fields.Integer()
    persons = fields.Integer(metadata={"description": "Unduplicated persons"})
    calls_alone = fields.Integer(metadata={"description": "race_ethnicity only: each call once (single category, "
                                                          "two_or_more or not_recorded); these rows add up to `calls`"})
    persons_alone = fields.Integer()


class DemographicsSchema(Schema):
    calls = fields.Integer(metadata={"description": "Calls in the period (C)"})
    persons = fields.Integer(metadata={"description": "Unduplicated persons with a call in the period"})
    race_ethnicity = fields.List(fields.Nested(DemographicRowSchema), metadata={
        "description": "Each OMB category counts every call and person naming it, alone or in combination; "
                       "two_or_more and not_recorded rows follow (docs/metrics.md)"})
    sex = fields.List(fields.Nested(DemographicRowSchema))
    age_band = fields.List(fields.Nested(DemographicRowSchema), metadata={
        "description": "Calls by age on the call's date; persons by the band of their first call of the period"})


class PartnerDemographicsSchema(Schema):
    threshold = fields.Integer(metadata={"description": "Counts from 1 to threshold - 1 are hidden"})
    tables = fields.Dict(keys=fields.String(), values=fields.Nested(PartnerTableSchema), metadata={
        "description": "race_ethnicity, sex, age_band, sim_intercept (columns intercept_0 .. intercept_5): calls per "
                       "period and category, each call once; null = suppressed"})

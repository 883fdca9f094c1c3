"""Program evaluation schemas (docs/evaluation.md): queries and the shapes the services return."""

from marshmallow import Schema, fields, validate

from mhu import enums
from schemas.common import StrictSchema, id_field, text
from schemas.metrics import PeriodQuerySchema, RateSchema

FUNNEL_STAGES = ("in_scope", "in_hours", "requested", "responded", "not_taken")


class EvaluationQuerySchema(PeriodQuerySchema):
    district = text(40)


class FunnelCallsQuerySchema(EvaluationQuerySchema):
    stage = fields.String(required=True, validate=validate.OneOf(FUNNEL_STAGES), metadata={
        "description": "A funnel stage, or not_taken (in scope, not taken by the unit)"})
    reason = fields.String(validate=validate.OneOf(enums.NOT_TAKEN_REASONS), metadata={
        "description": "Only calls not taken for this reason"})


class BeforeAfterQuerySchema(StrictSchema):
    days = fields.Integer(strict=False, load_default=180, validate=validate.Range(min=7, max=730), metadata={
        "description": "Length of each period, in days"})
    team_id = id_field(strict=False, metadata={"description": "Whose start date; default the earliest of the agency"})
    district = text(40)


class StageSchema(Schema):
    stage = fields.String()
    title = fields.String()
    count = fields.Integer()
    share_of_in_scope = fields.Float(allow_none=True)


class ReasonSchema(Schema):
    reason = fields.String()
    count = fields.Integer()


class FunnelSchema(Schema):
    configured = fields.Boolean()
    calls = fields.Integer()
    rules = fields.Dict()
    stages = fields.List(fields.Nested(StageSchema))
    reasons = fields.List(fields.Nested(ReasonSchema))
    not_taken = fields.Integer()
    coverage = fields.Nested(RateSchema, metadata={"description": "eligible_coverage: responded / in service hours"})
    out_of_scope = fields.Integer()
    excluded_by_risk_flag = fields.Integer()
    responded_outside_hours = fields.Integer()
    responded_out_of_scope = fields.Integer()


class GapsSchema(Schema):
    configured = fields.Boolean()
    hour_weekday = fields.List(fields.Dict())
    district = fields.List(fields.Dict())


class FunnelCallSchema(Schema):
    id = fields.UUID()
    incident_number = fields.String(allow_none=True)
    local_date = fields.Date()
    local_hour = fields.Integer()
    district = fields.String(allow_none=True)
    nature = fields.String()
    call_type = fields.String(allow_none=True)
    responder_type = fields.String()
    team = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    rule = fields.String()


class FunnelCallsSchema(Schema):
    total = fields.Integer()
    calls = fields.List(fields.Nested(FunnelCallSchema))


class DifferenceSchema(Schema):
    difference = fields.Float()
    low = fields.Float()
    high = fields.Float()


class ComparedMetricSchema(Schema):
    metric = fields.String()
    title = fields.String()
    unit = fields.Nested(RateSchema)
    patrol_only = fields.Nested(RateSchema)
    before = fields.Nested(RateSchema)
    after = fields.Nested(RateSchema)
    difference = fields.Nested(DifferenceSchema, allow_none=True, metadata={
        "description": "First group minus second (unit − patrol-only; after − before), with its 95% interval"})


class ComparisonSchema(Schema):
    configured = fields.Boolean()
    population = fields.String()
    method = fields.String()
    caveat = fields.String()
    groups = fields.Dict()
    program_start = fields.String()
    days = fields.Integer()
    before = fields.Dict()
    after = fields.Dict()
    metrics = fields.List(fields.Nested(ComparedMetricSchema))


class SavingsSchema(Schema):
    lines = fields.List(fields.Dict())
    total_cost = fields.Dict()
    costed = fields.List(fields.String())
    unit_costs = fields.Dict()


class HandoffRowSchema(Schema):
    facility = fields.String()
    calls = fields.Integer()
    median_minutes = fields.Float(allow_none=True)
    p90_minutes = fields.Float(allow_none=True)


class HandoffSchema(Schema):
    facilities = fields.List(fields.Nested(HandoffRowSchema))
    overall = fields.Nested(HandoffRowSchema)

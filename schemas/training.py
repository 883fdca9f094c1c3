"""CIT training records and the coverage query."""

from marshmallow import fields, validate

from schemas.common import Day, StrictSchema, id_field, text
from schemas.metrics import RateSchema


class TrainingCreateSchema(StrictSchema):
    user_id = id_field(required=True, metadata={"description": "The officer or supervisor who completed the course."})
    course = text(200, min_length=1, required=True, metadata={"example": "CIT 40-hour basic course"})
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    completed_on = Day(required=True, metadata={"description": "Date the course was completed (YYYY-MM-DD)."})
    certifying_body = text(200, load_default=None, allow_none=True, metadata={"example": "State POST commission"})


class TrainingReadSchema(TrainingCreateSchema):
    id = fields.Integer(dump_only=True)
    officer_email = fields.String(dump_only=True, attribute="user.email")
    created_at = fields.DateTime(dump_only=True)


class TrainingQuerySchema(StrictSchema):
    user_id = id_field(strict=False, metadata={"description": "Only this officer's records."})


class CoverageQuerySchema(StrictSchema):
    as_of = Day(load_default=None, metadata={"description": "Date to count training up to (default: today)."})


class CoverageSchema(StrictSchema):
    as_of = fields.Date()
    hours_required = fields.Float()
    cit_trained_officers = fields.Nested(RateSchema)

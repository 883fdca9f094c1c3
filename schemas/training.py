"""CIT training records and the coverage query."""

from marshmallow import fields, validate

from schemas.common import StrictSchema
from schemas.metrics import RateSchema


class TrainingCreateSchema(StrictSchema):
    user_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "The officer or supervisor who completed the course."})
    course = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"example": "CIT 40-hour basic course"})
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=1000, min_inclusive=False))
    completed_on = fields.Date(required=True, metadata={"description": "Date the course was completed (YYYY-MM-DD)."})
    certifying_body = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                                    metadata={"example": "State POST commission"})


class TrainingReadSchema(TrainingCreateSchema):
    id = fields.Integer(dump_only=True)
    officer_email = fields.String(dump_only=True, attribute="user.email")
    created_at = fields.DateTime(dump_only=True)


class TrainingQuerySchema(StrictSchema):
    user_id = fields.Integer(strict=False, validate=validate.Range(min=1),
                             metadata={"description": "Only this officer's records."})


class CoverageQuerySchema(StrictSchema):
    as_of = fields.Date(load_default=None, metadata={"description": "Date to count training up to (default: today)."})


class CoverageSchema(StrictSchema):
    as_of = fields.Date()
    hours_required = fields.Float()
    cit_trained_officers = fields.Nested(RateSchema)

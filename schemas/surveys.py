"""Survey aggregate queries and results."""

from marshmallow import Schema, fields

from schemas.common import id_field
from schemas.metrics import PeriodQuerySchema

DISTRIBUTION = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), metadata={
    "description": "Answers per score, \"1\" (strongly disagree) to \"5\" (strongly agree); null when suppressed"})


class SurveyQuerySchema(PeriodQuerySchema):
    team_id = id_field(strict=False)


class SurveyQuestionSchema(Schema):
    key = fields.String()
    question = fields.String()
    count = fields.Integer(metadata={"description": "Answers to this question in the period's months"})
    mean = fields.Float(allow_none=True, metadata={"description": "Mean score, 1-5; null with no answers"})
    distribution = DISTRIBUTION


class SurveyAggregateSchema(Schema):
    date_from = fields.String(data_key="from", attribute="from", metadata={"description": "First day of the first month"})
    date_to = fields.String(data_key="to", attribute="to")
    responses = fields.Integer(metadata={"description": "Survey answers received in the period's months"})
    approved_comments = fields.Integer(metadata={"description": "Comments a clinician published"})
    questions = fields.List(fields.Nested(SurveyQuestionSchema))


class PartnerSurveyRowSchema(Schema):
    period = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "Answers; null when suppressed"})
    agree_share = fields.Float(allow_none=True, metadata={
        "description": "Answers of 4 or 5 / answers; null when either is suppressed"})
    mean = fields.Float(allow_none=True, metadata={
        "description": "Mean score; null unless every group of the period is shown and no score count is small"})
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), metadata={
        "description": "Answers per group: disagree (1-2), neutral (3), agree (4-5); null when suppressed"})


class PartnerSurveyQuestionSchema(Schema):
    key = fields.String()
    question = fields.String()
    rows = fields.List(fields.Nested(PartnerSurveyRowSchema))


class PartnerSurveySchema(Schema):
    threshold = fields.Integer()
    groups = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "Group titles"})
    hidden_label = fields.String(metadata={"description": "How a hidden cell is shown, e.g. \"<11\""})
    questions = fields.List(fields.Nested(PartnerSurveyQuestionSchema))

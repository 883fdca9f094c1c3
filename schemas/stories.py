"""Stories: a call's short de-identified summary for sharing."""

from marshmallow import fields

from mhu.models.equity import STORY_MAX_LENGTH
from schemas.common import StrictSchema, text


class StoryWriteSchema(StrictSchema):
    summary = text(STORY_MAX_LENGTH, min_length=1, required=True, metadata={
        "description": "A short de-identified summary written for sharing (not the narrative): no names, dates of "
                       "birth, addresses, phone numbers"})


class StoryReadSchema(StrictSchema):
    call_id = fields.UUID()
    summary = fields.String()
    status = fields.String(metadata={"description": "draft, approved (printed in reports) or withdrawn"})
    written_by = fields.Integer(attribute="written_by_id")
    written_at = fields.AwareDateTime(format="iso")
    approved_by = fields.Integer(attribute="approved_by_id", allow_none=True)
    approved_at = fields.AwareDateTime(format="iso", allow_none=True)

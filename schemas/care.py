"""Referral, follow-up, attempt and clinical-note schemas."""

from marshmallow import fields, validate

from mhu import enums
from schemas.common import Instant, PageMetaSchema, PageQuerySchema, StrictSchema, enum_field, id_field, text


class ReferralCreateSchema(StrictSchema):
    referral_type = enum_field(enums.REFERRAL_TYPES, required=True)
    partner = text(120, allow_none=True)
    warm_handoff = fields.Boolean()
    status = enum_field(enums.REFERRAL_STATUSES)


class ReferralReadSchema(ReferralCreateSchema):
    id = fields.UUID()
    call_id = fields.UUID()
    version = fields.Integer()
    created_at = fields.AwareDateTime(format="iso")
    created_by_id = fields.Integer()


class AttemptCreateSchema(StrictSchema):
    attempted_at = Instant(required=True)
    method = enum_field(enums.FOLLOWUP_METHODS, required=True)
    reached = fields.Boolean()
    outcome = enum_field(
        enums.FOLLOWUP_OUTCOMES, allow_none=True,
        metadata={"description": "Given when the attempt settles the follow-up; closes it"},
    )


class AttemptReadSchema(AttemptCreateSchema):
    id = fields.UUID()
    followup_id = fields.UUID()
    created_at = fields.AwareDateTime(format="iso")
    created_by_id = fields.Integer()


class FollowUpCreateSchema(StrictSchema):
    due_at = Instant(metadata={"description": "Default: 48 h after the call cleared."})
    assigned_to_id = id_field(allow_none=True)


class FollowUpUpdateSchema(StrictSchema):
    due_at = Instant()
    assigned_to_id = id_field(allow_none=True)
    outcome = enum_field(enums.FOLLOWUP_OUTCOMES, allow_none=True)


class FollowUpReadSchema(StrictSchema):
    id = fields.UUID()
    call_id = fields.UUID()
    team_id = fields.Integer()
    assigned_to_id = fields.Integer(allow_none=True)
    due_at = fields.AwareDateTime(format="iso")
    status = fields.String(validate=validate.OneOf(("due", "overdue", "done")))
    first_attempt_at = fields.AwareDateTime(format="iso", allow_none=True)
    attempt_count = fields.Integer()
    outcome = fields.String(allow_none=True)
    closed_at = fields.AwareDateTime(format="iso", allow_none=True)
    version = fields.Integer()
    created_at = fields.AwareDateTime(format="iso")
    attempts = fields.List(fields.Nested(AttemptReadSchema))


class FollowUpQuerySchema(PageQuerySchema):
    status = enum_field(("due", "overdue", "done", "open"), load_default="open")
    scope = enum_field(("mine", "team"), load_default="team")


class FollowUpPageSchema(PageMetaSchema):
    items = fields.List(fields.Nested(FollowUpReadSchema))


class NoteCreateSchema(StrictSchema):
    body = text(20_000, min_length=1, required=True)
    part2 = fields.Boolean(metadata={"description": "Substance-use-disorder treatment information (42 CFR Part 2)"})
    addendum_to_id = fields.UUID(allow_none=True)


class NoteReadSchema(NoteCreateSchema):
    id = fields.UUID()
    call_id = fields.UUID()
    author_id = fields.Integer()
    created_at = fields.AwareDateTime(format="iso")

"""Administration schemas: agency settings, users, invitations, teams, tokens, sessions."""

from marshmallow import Schema, fields, validate

from mhu.enums import CIT_LEVELS, ROLES, TEAM_KINDS
from schemas.common import Day, StrictSchema, enum_field, id_field, text


class DistrictSchema(StrictSchema):
    name = text(60, min_length=1, required=True)
    beats = fields.List(text(30, min_length=1), load_default=list)


class AgencySettingsSchema(Schema):
    name = fields.String(dump_only=True)
    timezone = fields.String(metadata={"description": "IANA zone, e.g. America/Chicago"})
    districts = fields.List(fields.Nested(DistrictSchema))
    suppression_threshold = fields.Integer(metadata={"description": "Partner output hides counts below this"})
    followup_hours = fields.Integer(metadata={"description": "Hours after a call clears until its follow-up is due"})
    eligibility = fields.Dict(allow_none=True, metadata={"description": "Eligibility rules (docs/evaluation.md)"})
    unit_costs = fields.Dict(allow_none=True, metadata={"description": "Unit costs with sources (docs/evaluation.md)"})
    defaults = fields.Dict(dump_only=True, metadata={"description": "The deployment's defaults"})


class AgencySettingsUpdateSchema(StrictSchema):
    timezone = text(64, min_length=1)
    districts = fields.List(fields.Nested(DistrictSchema), validate=validate.Length(max=200))
    # Ranges are the service's (services/agency_settings.py), which reports every field at once.
    suppression_threshold = fields.Integer(strict=True, allow_none=True)
    followup_hours = fields.Integer(strict=True, allow_none=True)
    eligibility = fields.Dict(allow_none=True, metadata={
        "description": "{natures, call_types, exclude_risk_flags, service_hours}; null clears (docs/evaluation.md)"})
    unit_costs = fields.Dict(allow_none=True, metadata={
        "description": "{key: {amount, source}} for the costs of docs/evaluation.md; null clears"})


class TeamRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AdminUserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String()
    cit_level = fields.String()
    active = fields.Boolean()
    locked_until = fields.AwareDateTime(format="iso", allow_none=True)
    last_login_at = fields.AwareDateTime(format="iso", allow_none=True)
    created_at = fields.AwareDateTime(format="iso")
    teams = fields.List(fields.Nested(TeamRefSchema))


class AdminUserUpdateSchema(StrictSchema):
    role = enum_field(ROLES)
    active = fields.Boolean()
    display_name = text(120, allow_none=True)
    cit_level = enum_field(CIT_LEVELS)
    team_ids = fields.List(id_field(), validate=validate.Length(max=200))


class InvitationCreateSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = enum_field(ROLES, required=True)
    team_ids = fields.List(id_field(), load_default=list, validate=validate.Length(max=200))


class InvitationSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    team_ids = fields.List(fields.Integer())
    created_at = fields.AwareDateTime(format="iso")
    expires_at = fields.AwareDateTime(format="iso")


class InvitationCreatedSchema(InvitationSchema):
    token = fields.String(metadata={"description": "Shown once; the invitee opens /account/link/<token>"})
    url = fields.String()


class PasswordResetSchema(Schema):
    token = fields.String(metadata={"description": "Shown once; the user opens /account/link/<token>"})
    url = fields.String()
    expires_at = fields.AwareDateTime(format="iso")


class TeamSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    active = fields.Boolean()
    program_start_date = fields.Date(allow_none=True)
    member_ids = fields.Method("_member_ids")

    def _member_ids(self, team):
        return [member.id for member in team.members]


class TeamCreateSchema(StrictSchema):
    name = text(120, min_length=1, required=True)
    kind = enum_field(TEAM_KINDS, load_default="co_responder")


class TeamUpdateSchema(StrictSchema):
    name = text(120, min_length=1)
    kind = enum_field(TEAM_KINDS)
    active = fields.Boolean()
    member_ids = fields.List(id_field(), validate=validate.Length(max=1000))
    program_start_date = Day(allow_none=True, metadata={
        "description": "The day the team began answering calls (before/after comparisons split on it)"})


class IntegrationCreateSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = fields.String(validate=validate.Length(max=120), load_default=None)


class TokenCreateSchema(StrictSchema):
    user_id = id_field(required=True)
    label = text(120, min_length=1, required=True)
    days = fields.Integer(strict=True, load_default=90, validate=validate.Range(min=1, max=3650))


class AdminTokenSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    label = fields.String()
    created_at = fields.AwareDateTime(format="iso")
    expires_at = fields.AwareDateTime(format="iso")
    last_used_at = fields.AwareDateTime(format="iso", allow_none=True)


class AdminTokenCreatedSchema(AdminTokenSchema):
    access_token = fields.String(metadata={"description": "Shown once; only its digest is stored"})


class SessionSchema(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime(format="iso")
    last_seen_at = fields.AwareDateTime(format="iso")
    user_agent = fields.String(allow_none=True)
    source_ip = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "This device (cookie sessions only)"})


class EndedSchema(Schema):
    ended = fields.Integer()

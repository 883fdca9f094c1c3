"""Auth, user and team schemas."""

from marshmallow import fields

from schemas.common import StrictSchema, text


class TokenRequestSchema(StrictSchema):
    email = text(254, min_length=3, required=True)
    password = text(256, min_length=1, required=True, load_only=True)
    otp = text(32, min_length=6, load_only=True, metadata={
        "description": "The authenticator's 6-digit code, or a recovery code, for accounts with a second factor. "
                       "Without it such an account gets 401 with `mfa_required: true`."})


class TokenSchema(StrictSchema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class AgencyReadSchema(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    timezone = fields.String()


class TeamReadSchema(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    active = fields.Boolean()


class MeSchema(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String()
    cit_level = fields.String()
    agency = fields.Nested(AgencyReadSchema)
    teams = fields.List(fields.Nested(TeamReadSchema))


class HealthSchema(StrictSchema):
    status = fields.String()
    database = fields.String()


class TotpEnrolmentSchema(StrictSchema):
    secret = fields.String(metadata={"description": "Base32 secret, for typing into an authenticator app"})
    otpauth_uri = fields.String(metadata={"description": "otpauth:// URI, the content of the QR code"})
    recovery_codes = fields.List(fields.String(), metadata={"description": "Ten one-time codes, shown only now"})


class TotpConfirmSchema(StrictSchema):
    code = text(10, min_length=6, required=True)

"""Audit trail search: query parameters and the event read shape."""

from marshmallow import Schema, fields, validate

from schemas.common import PageMetaSchema, PageQuerySchema


class AuditQuerySchema(PageQuerySchema):
    user_id = fields.Integer(strict=False, validate=validate.Range(min=1))
    object_type = fields.String(validate=validate.Length(min=1, max=40))
    object_id = fields.String(validate=validate.Length(min=1, max=64))
    action = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "e.g. call.read, login"})
    outcome = fields.String(validate=validate.Length(min=1, max=20))
    category = fields.String(validate=validate.OneOf(["permission", "config"]),
                             metadata={"description": "permission: users, teams, tokens, sessions; config: agency settings"})
    since = fields.AwareDateTime(format="iso", metadata={"description": "Events at or after this instant"})
    until = fields.AwareDateTime(format="iso", metadata={"description": "Events before this instant"})


class AuditExportQuerySchema(AuditQuerySchema):
    """The same filters; the export is capped instead of paginated."""

    class Meta:
        exclude = ("page", "per_page")


class AuditEventSchema(Schema):
    id = fields.Integer()
    occurred_at = fields.AwareDateTime(format="iso")
    user_id = fields.Integer(allow_none=True)
    role = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    outcome = fields.String()
    request_id = fields.String(allow_none=True)
    source_ip = fields.String(allow_none=True)


class AuditPageSchema(PageMetaSchema):
    items = fields.List(fields.Nested(AuditEventSchema))

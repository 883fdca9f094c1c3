"""Audit trail search: query parameters and the event read shape."""

from marshmallow import Schema, fields, validate

from schemas.common import Instant, PageMetaSchema, PageQuerySchema, id_field, text


class AuditQuerySchema(PageQuerySchema):
    user_id = id_field(strict=False)
    object_type = text(40, min_length=1)
    object_id = text(64, min_length=1)
    action = text(40, min_length=1, metadata={"description": "e.g. call.read, login"})
    outcome = text(20, min_length=1)
    category = fields.String(validate=validate.OneOf(["permission", "config"]),
                             metadata={"description": "permission: users, teams, tokens, sessions; config: agency settings"})
    since = Instant(metadata={"description": "Events at or after this instant."})
    until = Instant(metadata={"description": "Events before this instant."})


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

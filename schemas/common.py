"""Shared schema pieces."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate


class StrictSchema(Schema):
    """Input schemas reject fields they do not know, so typos never pass silently."""

    class Meta:
        unknown = RAISE


def enum_field(values, **kwargs) -> fields.String:
    """A string restricted to a domain enumeration (listed as `enum` in the OpenAPI spec)."""
    return fields.String(validate=validate.OneOf(values), **kwargs)


def enum_list(values, **kwargs) -> fields.List:
    """A list of distinct values from a domain enumeration."""
    return fields.List(fields.String(validate=validate.OneOf(values)), **kwargs)


def no_nul(value: str) -> None:
    """PostgreSQL text cannot hold NUL characters: refuse them as input, not as a server error."""
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def text(max_length: int, **kwargs) -> fields.String:
    """Free text with a length limit."""
    return fields.String(validate=[validate.Length(max=max_length), no_nul], **kwargs)


class PageQuerySchema(StrictSchema):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(strict=False, load_default=50, validate=validate.Range(min=1, max=500))


class PageMetaSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ErrorSchema(Schema):
    """The JSON body of every error response."""

    code = fields.Integer(metadata={"description": "HTTP status code"})
    status = fields.String(metadata={"description": "HTTP status name"})
    message = fields.String(metadata={"description": "What went wrong, for a person to read"})
    errors = fields.Dict(metadata={"description": "Per-field messages, by location (json, query) then field"})

"""Shared schema pieces, with the bounds every database can store.

Input that passes these fields cannot make a database or the date arithmetic fail: text has no
NUL (PostgreSQL refuses it) and no unpaired surrogate (not encodable as UTF-8), ids fit a 32-bit
integer column, and dates and times lie between 1900 and 2100 (so a period's padding or a time
zone shift cannot leave the calendar).
"""

from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate

INT32_MAX = 2**31 - 1
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
NO_NUL_PATTERN = "^[^\\u0000]*$"


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


def storable_text(value: str) -> None:
    """Refuse text a database cannot store: NUL characters and unpaired surrogates."""
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Must be valid Unicode text (no unpaired surrogates).") from None


class Text(fields.String):
    """A string without NUL characters or unpaired surrogates (the spec shows it as a pattern)."""

    def __init__(self, *args, **kwargs):
        metadata = {"pattern": NO_NUL_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(*args, metadata=metadata, **kwargs)
        self.validators.insert(0, storable_text)


def text(max_length: int, min_length: int | None = None, **kwargs) -> Text:
    """Free text with a length limit."""
    return Text(validate=validate.Length(min=min_length, max=max_length), **kwargs)


def id_field(*, strict: bool = True, **kwargs) -> fields.Integer:
    """A database id: a positive integer that fits the 32-bit id columns."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=INT32_MAX), **kwargs)


def _within_calendar(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"Must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}.")


def _described(kwargs: dict, bound: str) -> dict:
    metadata = dict(kwargs.pop("metadata", {}))
    description = metadata.get("description", "")
    metadata["description"] = f"{description} {bound}".strip()
    return metadata


class Day(fields.Date):
    """A calendar date between 1900-01-01 and 2100-12-31."""

    def __init__(self, *args, **kwargs):
        metadata = _described(kwargs, f"Between {EARLIEST.isoformat()} and {LATEST.isoformat()}.")
        super().__init__(*args, metadata=metadata, **kwargs)
        self.validators.insert(0, _within_calendar)


class Instant(fields.AwareDateTime):
    """An RFC 3339 time with offset whose local date lies between 1900 and 2100.

    The bound is checked before any conversion to UTC, so year 1 at +14:00 is refused with a
    message instead of overflowing.
    """

    def __init__(self, *args, **kwargs):
        metadata = _described(kwargs, f"Between {EARLIEST.year} and {LATEST.year}.")
        super().__init__(*args, format="iso", metadata=metadata, **kwargs)
        self.validators.insert(0, lambda value: _within_calendar(value.date()))


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

"""Column types shared by the models."""

from datetime import datetime, timezone

import sqlalchemy as sa

from mhu.extensions import db


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware.

    SQLite has no time zone support and hands back naive values; normalising here means the
    API emits RFC 3339 with an offset on every database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = _as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect):
        """On SQLite, the UTC text straight from datetime.isoformat: the same text as SQLAlchemy's
        DateTime stores (its default storage format; tests/db/test_utc_datetime.py), at a third
        of the cost, which bulk imports pay several times per row (bench/README.md "Import")."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value):
            return None if value is None else _as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given; MHU stores aware datetimes only")
    return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def enum_column(name: str, values, **kwargs) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, no native PostgreSQL type."""
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True,
        length=max(len(v) for v in values), validate_strings=True, **kwargs,
    )


__all__ = ["UTCDateTime", "utcnow", "enum_column", "db"]

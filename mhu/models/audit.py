"""Append-only records: the audit trail and the idempotency ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    """Who did what to which record, when, and how it ended. Never the record's content."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.Index("ix_audit_event_user_time", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    role: Mapped[str | None] = mapped_column(sa.String(20))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(20), default="success")
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    source_ip: Mapped[str | None] = mapped_column(sa.String(64))


class IdempotencyRecord(db.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    request_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

"""CIT training records: the roster behind "share of sworn officers with 40-hour CIT training"."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.models.types import UTCDateTime, db, utcnow
from mhu.models.user import User


class CitTraining(db.Model):
    """One completed course of one officer; an officer's hours add up across courses."""

    __tablename__ = "cit_training"
    __table_args__ = (
        # The same course on the same day once per officer, so a re-imported roster adds nothing.
        sa.UniqueConstraint("user_id", "course", "completed_on"),
        sa.CheckConstraint("hours > 0 AND hours <= 1000", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[float] = mapped_column(sa.Numeric(6, 2, asdecimal=False))
    completed_on: Mapped[date] = mapped_column(sa.Date)
    certifying_body: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

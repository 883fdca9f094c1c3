"""What happens after the call: referrals, follow-ups with their attempts, clinical notes."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.enums import FOLLOWUP_METHODS, FOLLOWUP_OUTCOMES, REFERRAL_STATUSES, REFERRAL_TYPES
from mhu.models.types import UTCDateTime, db, enum_column, utcnow


class Referral(db.Model):
    __tablename__ = "referral"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    referral_type: Mapped[str] = mapped_column(enum_column("referral_type", REFERRAL_TYPES))
    partner: Mapped[str | None] = mapped_column(sa.String(120))
    warm_handoff: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(enum_column("referral_status", REFERRAL_STATUSES), default="made")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class FollowUp(db.Model):
    __tablename__ = "followup"
    __table_args__ = (
        sa.Index("ix_followup_agency_due", "agency_id", "due_at"),
        # The metric facts count follow-ups per local closing day (services/metric_facts.py).
        sa.Index("ix_followup_agency_closed", "agency_id", "closed_at"),
        sa.Index("ix_followup_team_due", "team_id", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept on the follow-up (set by the attempt service) so timeliness is one indexed comparison.
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(enum_column("followup_outcome", FOLLOWUP_OUTCOMES))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attempts: Mapped[list[FollowUpAttempt]] = relationship(
        back_populates="followup", order_by="FollowUpAttempt.attempted_at", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status(self) -> str:
        if self.closed_at is not None:
            return "done"
        return "overdue" if self.due_at < utcnow() else "due"


class FollowUpAttempt(db.Model):
    __tablename__ = "followup_attempt"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    followup_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("followup.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(enum_column("followup_method", FOLLOWUP_METHODS))
    reached: Mapped[bool] = mapped_column(default=False)
    # An attempt with an outcome closes the follow-up with it.
    outcome: Mapped[str | None] = mapped_column(enum_column("attempt_outcome", FOLLOWUP_OUTCOMES))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    followup: Mapped[FollowUp] = relationship(back_populates="attempts")


class ClinicalNote(db.Model):
    """Clinician-only, append-only: corrections are addenda pointing at the note they amend."""

    __tablename__ = "clinical_note"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # The author's program (team) when written; 42 CFR Part 2 notes are visible only within it.
    program_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    part2: Mapped[bool] = mapped_column(default=False)
    addendum_to_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("clinical_note.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

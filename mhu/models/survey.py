"""What people served say (anonymous surveys) and the reminders that follow the clinicians' work.

A survey invitation belongs to a call (who may hand it out is a question about the call); the
answer it leads to does not. The invitation row is deleted when it is used, and the answer keeps
only the agency, the team and the month: no call, no person, no address, no exact time, and a
random id, so neither its key nor its position can be matched to the invitation or the call.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db, enum_column, utcnow

COMMENT_STATES = ("pending", "approved", "rejected")
REMINDER_KINDS = ("due_soon", "overdue")


class SurveyInvitation(db.Model):
    """A single-use link to the survey; only the hash of its token is kept."""

    __tablename__ = "survey_invitation"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyResponse(db.Model):
    """One anonymous answer: four 1-5 scores (each may be skipped) and an optional comment."""

    __tablename__ = "survey_response"
    __table_args__ = (
        sa.Index("ix_survey_response_agency_month", "agency_id", "month"),
        *(sa.CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_scale")
          for name in ("respected", "safer", "helped", "would_call_again")),
    )

    # Random, not a sequence: a counter would order answers against the invitations' audit trail.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="SET NULL"))
    # The first day of the agency-local month the answer came in: the finest time it keeps.
    month: Mapped[date] = mapped_column(sa.Date)
    respected: Mapped[int | None] = mapped_column(sa.SmallInteger)
    safer: Mapped[int | None] = mapped_column(sa.SmallInteger)
    helped: Mapped[int | None] = mapped_column(sa.SmallInteger)
    would_call_again: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    # pending until a clinician marks the comment free of identifying details (approved) or not.
    comment_state: Mapped[str | None] = mapped_column(enum_column("survey_comment_state", COMMENT_STATES))


class SurveyThrottle(db.Model):
    """Requests to the public survey page per address and window; the address is kept as a keyed
    hash, never in clear."""

    __tablename__ = "survey_throttle"

    address_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(default=0)


class FollowupReminder(db.Model):
    """The email ledger: one row per follow-up and kind, so a reminder is sent at most once."""

    __tablename__ = "followup_reminder"
    __table_args__ = (sa.UniqueConstraint("followup_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("followup.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(enum_column("reminder_kind", REMINDER_KINDS))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A run claims a row (claimed_at) before sending, so two runs at once never both send it.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))

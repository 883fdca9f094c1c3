"""Equity reporting and shareable stories: a person's race/ethnicity categories, a call's story."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.enums import RACE_ETHNICITY, STORY_STATUSES
from mhu.models.types import UTCDateTime, db, enum_column, utcnow

STORY_MAX_LENGTH = 600


class PersonRace(db.Model):
    """One OMB race/ethnicity category of a person; several rows for a multi-race person, none when
    not recorded."""

    __tablename__ = "person_race"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(enum_column("race_ethnicity", RACE_ETHNICITY), primary_key=True)


class CallStory(db.Model):
    """A short de-identified summary of a call, written for sharing (never the narrative).

    Drafted by whoever may edit the call; printed in reports only once a supervisor approved it."""

    __tablename__ = "call_story"
    __table_args__ = (
        sa.Index("ix_call_story_agency_status", "agency_id", "status"),
        sa.CheckConstraint(f"length(summary) <= {STORY_MAX_LENGTH}", name="summary_length"),
    )

    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    summary: Mapped[str] = mapped_column(sa.String(STORY_MAX_LENGTH))
    status: Mapped[str] = mapped_column(enum_column("story_status", STORY_STATUSES), default="draft")
    written_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

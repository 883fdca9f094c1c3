"""Subjects of calls: a de-identified person and a separate identity record."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.enums import AGE_BANDS, GENDERS, HOUSING_STATUSES, SEXES
from mhu.models.types import UTCDateTime, db, enum_column, utcnow


class Person(db.Model):
    """The de-identified subject. Repeat contacts are counted on this id."""

    __tablename__ = "person"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    age_band: Mapped[str] = mapped_column(enum_column("age_band", AGE_BANDS), default="unknown")
    gender: Mapped[str] = mapped_column(enum_column("gender", GENDERS), default="unknown")
    veteran: Mapped[bool | None] = mapped_column()
    housing_status: Mapped[str] = mapped_column(
        enum_column("housing_status", HOUSING_STATUSES), default="unknown"
    )
    # Equity reporting (optional): sex as recorded, and race/ethnicity rows (mhu/models/equity.py).
    sex: Mapped[str] = mapped_column(enum_column("sex", SEXES), default="not_recorded", server_default="not_recorded")
    race_rows: Mapped[list["PersonRace"]] = relationship(  # noqa: F821 (mhu/models/equity.py)
        cascade="all, delete-orphan", lazy="selectin", order_by="PersonRace.category"
    )
    # Set when this record was merged into another; merged persons leave searches and counts.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    identity: Mapped[PersonIdentity | None] = relationship(
        back_populates="person", uselist=False, cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def race_ethnicity(self) -> list[str]:
        return [row.category for row in self.race_rows]


class PersonIdentity(db.Model):
    """Names, date of birth, safety flags and response plan: readable only by roles that identify."""

    __tablename__ = "person_identity"

    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    aliases: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Indexed: date-of-birth-only searches and the matcher's DOB blocking read it directly.
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date, index=True)
    safety_flags: Mapped[list] = mapped_column(sa.JSON, default=list)
    response_plan: Mapped[str | None] = mapped_column(sa.Text)
    # Normalised "first last" used for fuzzy candidate search; never exported.
    search_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    # Keyed hash (HMAC) of normalised name + date of birth: exact-match finder; never exported.
    match_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)

    person: Mapped[Person] = relationship(back_populates="identity")


class PersonMerge(db.Model):
    """A recorded merge of one person into another, reversible while `undone_at` is empty."""

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    survivor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("person.id"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # The calls moved from merged to survivor, so an undo moves back exactly those.
    moved_call_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    merged_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

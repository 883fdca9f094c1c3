"""A call (encounter): one response to one person or an unidentified subject."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.enums import (
    ARRESTABLE_OFFENSES, CALL_SOURCES, DISPOSITIONS, FORCE_LEVELS, INJURY_PARTIES,
    INJURY_SEVERITIES, NATURES, NOT_TAKEN_REASONS, PRESENTING_PROBLEMS, RESPONDER_TYPES, RISK_FLAGS, TRANSFERS,
)
from mhu.models.references import foreign_keys
from mhu.models.types import UTCDateTime, db, enum_column, utcnow


class Call(db.Model):
    __tablename__ = "call"
    __table_args__ = (
        sa.Index("ix_call_agency_received", "agency_id", "received_at"),
        sa.Index("ix_call_agency_local_date", "agency_id", "local_date"),
        sa.Index("ix_call_agency_district", "agency_id", "district"),
        # A person's calls in time order; calls without a person (an imported CAD history) get no
        # entry, and "person_id IS NULL" cannot be planned along it (quality.QUALITY_CHECKS).
        sa.Index("ix_call_person_received", "person_id", "received_at",
                 sqlite_where=sa.text("person_id IS NOT NULL"), postgresql_where=sa.text("person_id IS NOT NULL")),
        sa.CheckConstraint("sim_intercept BETWEEN 0 AND 5", name="sim_intercept_range"),
        sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        # Only a call the unit did not attend may lack a team.
        sa.CheckConstraint("team_id IS NOT NULL OR responder_type = 'patrol_only'", name="team_unless_patrol"),
        sa.Index("ix_call_agency_responder_date", "agency_id", "responder_type", "local_date"),
        # An imported call's source key, unique per agency and profile; led by the key, so an import
        # looks up a chunk's keys one probe each (migration 0020). Only imported calls have entries.
        sa.Index("uq_call_source_key", "source_key", "agency_id", "source_profile", unique=True,
                 sqlite_where=sa.text("source_key IS NOT NULL"), postgresql_where=sa.text("source_key IS NOT NULL")),
        sa.Index("ix_call_created_batch", "created_batch_id",
                 sqlite_where=sa.text("created_batch_id IS NOT NULL"),
                 postgresql_where=sa.text("created_batch_id IS NOT NULL")),
        # agency_id, team_id, person_id and the three user ids: checked per statement on
        # PostgreSQL (mhu/models/references.py).
        *foreign_keys("call"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column()
    team_id: Mapped[int | None] = mapped_column(index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    incident_number: Mapped[str | None] = mapped_column(sa.String(40), index=True)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # received_at in the agency's time zone, kept beside it so date filters, monthly buckets and
    # hour x weekday charts are plain indexed columns on every database.
    local_date: Mapped[date] = mapped_column(sa.Date)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    local_weekday: Mapped[int] = mapped_column(sa.SmallInteger)  # 0 = Monday

    call_source: Mapped[str] = mapped_column(enum_column("call_source", CALL_SOURCES))
    nature: Mapped[str] = mapped_column(enum_column("nature", NATURES))
    initial_call_type: Mapped[str | None] = mapped_column(sa.String(40))
    final_call_type: Mapped[str | None] = mapped_column(sa.String(40))
    sim_intercept: Mapped[int] = mapped_column(sa.SmallInteger)
    arrestable_offense: Mapped[str] = mapped_column(
        enum_column("arrestable_offense", ARRESTABLE_OFFENSES), default="none"
    )
    district: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    beat: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    cit_officer_on_scene: Mapped[bool] = mapped_column(default=False)
    transfer_in: Mapped[str] = mapped_column(enum_column("transfer_in", TRANSFERS), default="none")
    transfer_out: Mapped[str] = mapped_column(enum_column("transfer_out", TRANSFERS), default="none")
    force_level: Mapped[str] = mapped_column(enum_column("force_level", FORCE_LEVELS), default="none")
    disposition: Mapped[str | None] = mapped_column(
        enum_column("disposition", DISPOSITIONS), index=True
    )
    legal_hold_type: Mapped[str | None] = mapped_column(sa.String(20))
    followup_required: Mapped[bool] = mapped_column(default=False)
    narrative: Mapped[str | None] = mapped_column(sa.Text)
    # Program evaluation (docs/evaluation.md): who responded, why an in-scope call was not taken,
    # and the hand-off at an emergency department or crisis facility.
    responder_type: Mapped[str] = mapped_column(
        enum_column("responder_type", RESPONDER_TYPES), default="co_responder", server_default="co_responder"
    )
    not_taken_reason: Mapped[str | None] = mapped_column(enum_column("not_taken_reason", NOT_TAKEN_REASONS))
    handoff_facility: Mapped[str | None] = mapped_column(sa.String(120))
    arrived_at_facility: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Where an imported call came from (services/imports, services/cad): its source record's key
    # under the profile that mapped it, the batch that created it (NULL for the CAD feed) and the
    # last batch that wrote it. On the call row rather than in a table of their own: that table's
    # rows, each with its own indexes and foreign-key check, were a sixth of a million-row
    # import's database work (migration 0023). Undo clears the key of the calls it voids.
    source_profile: Mapped[str | None] = mapped_column(sa.String(120))
    source_key: Mapped[str | None] = mapped_column(sa.String(255))
    created_batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    last_batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column()
    # Calls are voided with a reason, never deleted: voided calls leave lists and metrics.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(sa.String(500))

    presenting_problem_rows: Mapped[list[CallPresentingProblem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CallPresentingProblem.problem"
    )
    risk_flag_rows: Mapped[list[CallRiskFlag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CallRiskFlag.flag"
    )
    injury_rows: Mapped[list[CallInjury]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CallInjury.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def presenting_problems(self) -> list[str]:
        return [row.problem for row in self.presenting_problem_rows]

    @property
    def risk_flags(self) -> list[str]:
        return [row.flag for row in self.risk_flag_rows]

    @property
    def injuries(self) -> list[dict]:
        return [{"party": row.party, "severity": row.severity} for row in self.injury_rows]

    @property
    def created_by(self) -> int:
        return self.created_by_id

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class CallPresentingProblem(db.Model):
    __tablename__ = "call_presenting_problem"
    __table_args__ = tuple(foreign_keys("call_presenting_problem"))

    call_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    problem: Mapped[str] = mapped_column(
        enum_column("presenting_problem", PRESENTING_PROBLEMS), primary_key=True
    )


class CallRiskFlag(db.Model):
    __tablename__ = "call_risk_flag"
    __table_args__ = tuple(foreign_keys("call_risk_flag"))

    call_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    flag: Mapped[str] = mapped_column(enum_column("risk_flag", RISK_FLAGS), primary_key=True)


class CallInjury(db.Model):
    __tablename__ = "call_injury"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(enum_column("injury_party", INJURY_PARTIES))
    severity: Mapped[str] = mapped_column(enum_column("injury_severity", INJURY_SEVERITIES))


class CallSubjectHint(db.Model):
    """A subject name typed on a call that was saved without a linked person (typically offline).

    It is identified data, so it lives beside the call, not on it: exports and metrics never read
    it. It is deleted once a person is linked to the call; until then the call is on its author's
    "needs a subject" list.
    """

    __tablename__ = "call_subject_hint"
    __table_args__ = (sa.Index("ix_call_subject_hint_creator", "created_by_id"),)

    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    typed_name: Mapped[str] = mapped_column(sa.String(200))
    typed_date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

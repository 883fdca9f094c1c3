"""Agencies (law enforcement or partner organisations) and their teams."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.enums import AGENCY_KINDS, TEAM_KINDS
from mhu.models.types import UTCDateTime, db, enum_column, utcnow

team_members = sa.Table(
    "team_member",
    db.metadata,
    sa.Column("team_id", sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(enum_column("agency_kind", AGENCY_KINDS), default="law_enforcement")
    # IANA zone: date filters, daily/monthly buckets and hour-of-day charts use local time.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Chicago")
    # Set by the agency's administrators (services/agency_settings.py); None means the app's default.
    # districts: [{"name": "North", "beats": ["N1", "N2"]}, ...] in the order the forms list them.
    districts: Mapped[list | None] = mapped_column(sa.JSON)
    suppression_threshold: Mapped[int | None] = mapped_column()
    followup_hours: Mapped[int | None] = mapped_column()
    # Second factor for roles that read identified records; None follows MFA_REQUIRED_DEFAULT.
    mfa_required: Mapped[bool | None] = mapped_column()
    # Program evaluation settings (services/evaluation/settings.py validates them; None: not set).
    # eligibility: {"natures": [...], "call_types": [...], "exclude_risk_flags": [...],
    #               "service_hours": {"0": [[8, 20]], ...}}  weekday 0 = Monday, [start, end) local hours.
    # unit_costs: {"jail_booking": {"amount": 350.0, "source": "..."}, ...}
    eligibility: Mapped[dict | None] = mapped_column(sa.JSON)
    unit_costs: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="agency", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name!r}>"


class Team(db.Model):
    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(enum_column("team_kind", TEAM_KINDS), default="co_responder")
    active: Mapped[bool] = mapped_column(default=True)
    # The day the team began answering calls: the before/after comparison splits on it.
    program_start_date: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="teams")
    members: Mapped[list["User"]] = relationship(  # noqa: F821
        secondary=team_members, back_populates="teams", order_by="User.email"
    )

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"

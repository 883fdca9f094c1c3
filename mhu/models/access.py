"""Server-side records of browser sessions and of one-time account links (invitations, resets)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mhu.enums import ROLES
from mhu.models.types import UTCDateTime, db, enum_column, utcnow
from mhu.models.user import User

LINK_PURPOSES = ("invite", "password_reset")


class UserSession(db.Model):
    """One signed-in browser (device). The cookie carries a random key; only its SHA-256 is stored,
    so a database leak does not reveal a usable session. Ending the record ends that device only."""

    __tablename__ = "user_session"
    __table_args__ = (sa.Index("ix_user_session_user_open", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    source_ip: Mapped[str | None] = mapped_column(sa.String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(40))

    user: Mapped[User] = relationship()


class AccountLink(db.Model):
    """A one-time, expiring link: an invitation to create an account, or a forced password reset.
    Only the SHA-256 of the link's token is stored."""

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(enum_column("link_purpose", LINK_PURPOSES))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(enum_column("link_role", ROLES))
    # Invitations: the teams the new account joins (ids of the agency's teams).
    team_ids: Mapped[list | None] = mapped_column(sa.JSON)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

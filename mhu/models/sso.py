"""Single sign-on: an agency's OpenID Connect provider, and which provider account is which user."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db, utcnow


class AgencySso(db.Model):
    """One OpenID Connect provider per agency (authorization code flow with PKCE)."""

    __tablename__ = "agency_sso"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    client_secret_sealed: Mapped[str] = mapped_column(sa.String(1024))
    # The ID-token claim that carries the user's group or role, and what each value means in MHU
    # ({"crisis-officers": "officer"}). Without it only pre-provisioned accounts, matched by
    # verified email, may sign in.
    role_claim: Mapped[str | None] = mapped_column(sa.String(100))
    role_map: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # When set, this agency's users can no longer log in with a local password.
    local_passwords_disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SsoIdentity(db.Model):
    """A provider account (issuer, subject) linked to an MHU user at its first sign-in."""

    __tablename__ = "sso_identity"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

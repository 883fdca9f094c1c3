"""Second factors: a TOTP authenticator per user and one-time recovery codes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db, utcnow


class TotpFactor(db.Model):
    """A user's authenticator app (RFC 6238); pending until a first code confirms it."""

    __tablename__ = "totp_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    # Encrypted with a key derived from SECRET_KEY (services/mfa.py): a database copy alone
    # does not let anyone generate codes.
    secret_encrypted: Mapped[str] = mapped_column(sa.String(255))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step accepted: a code is good once, so an observed code cannot be replayed.
    last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator is lost; only its hash is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""Server-side records of browser sessions: one per signed-in device.

The signed session cookie carries a random key; the record (found by the key's SHA-256) says
whether that device is still signed in. Ending a record ends that device only; the user's
session nonce (users.end_sessions) still ends every device at once on deactivation or a role
change. `last_seen_at` is written at most once a minute so reads do not become writes.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import has_request_context, request

from mhu.extensions import db
from mhu.models import User, UserSession
from mhu.models.types import utcnow
from mhu.services import audit

TOUCH_INTERVAL = timedelta(minutes=1)
# The session-cookie entry holding this device's key.
COOKIE_ENTRY = "sid"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(*, user: User) -> str:
    """Record a new signed-in device for the user; returns the key for the session cookie."""
    key = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "")[:200] if has_request_context() else None
    address = request.remote_addr if has_request_context() else None
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key), user_agent=agent, source_ip=address))
    return key


def current(*, user: User, key: str | None) -> UserSession | None:
    """The open record behind this cookie key, if it belongs to the user; touches last_seen."""
    if not key:
        return None
    record = db.session.scalar(sa.select(UserSession).where(UserSession.key_hash == _digest(key)))
    if record is None or record.user_id != user.id or record.ended_at is not None:
        return None
    now = utcnow()
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        # A direct UPDATE, committed on its own: a GET must not depend on the view committing.
        db.session.execute(sa.update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
        db.session.commit()
    return record


def list_open(*, user: User) -> list[UserSession]:
    """The user's signed-in devices, most recently seen first."""
    return list(db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def end(*, user: User, session_id: int, actor: User, reason: str) -> bool:
    """End one of the user's sessions; False when there is no such open session."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        return False
    record.ended_at, record.ended_reason = utcnow(), reason
    audit.record(action=_action(user, actor, "session.end"), actor=actor, object_type="user_session",
                 object_id=record.id)
    db.session.commit()
    return True


def end_current(*, user: User, key: str | None) -> None:
    """Logout: end the session of this device only (the caller commits)."""
    if not key:
        return
    db.session.execute(
        sa.update(UserSession).where(UserSession.key_hash == _digest(key), UserSession.user_id == user.id,
                                     UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason="logout")
    )


def end_all(*, user: User, actor: User, reason: str, except_key: str | None = None) -> int:
    """End every open session of the user (optionally keeping one device); the number ended."""
    conditions = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if except_key:
        conditions.append(UserSession.key_hash != _digest(except_key))
    ended = db.session.execute(
        sa.update(UserSession).where(*conditions).values(ended_at=utcnow(), ended_reason=reason)
    ).rowcount
    audit.record(action=_action(user, actor, "session.end_all"), actor=actor, object_type="user",
                 object_id=user.id)
    db.session.commit()
    return ended


def _action(user: User, actor: User, action: str) -> str:
    # An administrator ending someone else's session is a permission change; a user ending their own is not.
    return action if actor.id == user.id else f"permission.{action}"

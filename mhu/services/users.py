"""Users, agencies, teams, logins and API tokens."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from mhu.auth.passwords import DUMMY_HASH, hash_password, password_problems, verify_password
from mhu.extensions import db
from mhu.models import Agency, AgencySso, ApiToken, Team, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, login_limits, mfa


def create_user(
    *, email: str, password: str, role: str, agency: Agency, display_name: str | None = None,
    cit_level: str = "none", teams: list[Team] | None = None, actor: User | None = None,
) -> User:
    """Create a user after checking the password policy; raises ServiceError on bad input."""
    email = email.strip().lower()
    problems = password_problems(password, email=email)
    if problems:
        raise ServiceError("The password does not meet the policy.", {"password": problems})
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ServiceError("A user with this email exists.", {"email": ["Already registered."]})
    user = User(
        email=email, display_name=display_name, password_hash=hash_password(password), role=role,
        agency=agency, cit_level=cit_level, session_nonce=secrets.token_hex(16),
        teams=list(teams or []),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(action="user.create", actor=actor, object_type="user", object_id=user.id)
    return user


def load_session_user(session_id: str) -> User | None:
    """The user behind a session identity `id:nonce`, if the nonce is still current."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


class SecondFactorRequired(Exception):
    """The password was right and the account has an authenticator: ask for its code."""

    def __init__(self, user: User):
        super().__init__("second factor required")
        self.user = user


def authenticate(*, email: str, password: str, otp: str | None = None) -> User | None:
    """The user for these credentials, or None. Counts failures and locks the account.

    The answer is the same for an unknown email, a wrong password and a locked account, and so is
    the cost: every attempt runs exactly one argon2 verification (against a dummy hash when there
    is no account to check or it is locked), so neither the answer nor its timing tells a caller
    which accounts exist. The attempt is counted before the password is checked
    (services/login_limits.py), so parallel guesses get no more than the limit. When the account
    has an authenticator and no `otp` is given, raises SecondFactorRequired (that attempt is given
    back); a wrong `otp` counts as a failed login.
    """
    email = (email or "").strip().lower()
    password = password or ""
    now = utcnow()
    reserved = login_limits.reserve_account_attempt(email=email, now=now)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        verify_password(DUMMY_HASH, password)
        audit.record(action="login", actor=None, object_type="user", object_id=None, outcome="failure", commit=True)
        return None
    if _over_limit(user, reserved):
        verify_password(DUMMY_HASH, password)
        return None
    password_hash, active = user.password_hash, user.active
    # End the transaction before the deliberately slow hash: a burst of attempts must not hold
    # every pooled connection while argon2 runs.
    db.session.commit()
    matches = verify_password(password_hash, password)
    if not (matches and active):
        return _failed(user, reserved, now)
    if _local_passwords_disabled(user):
        audit.record(action="login", actor=user, object_type="user", object_id=user.id, outcome="password_disabled",
                     commit=True)
        return None
    if mfa.enrolled(user):
        if otp is None:
            login_limits.release_account_attempt(user_id=user.id)
            login_limits.release_address_attempt(source_ip=_source_ip())
            audit.record(action="login", actor=user, object_type="user", object_id=user.id, outcome="mfa_required",
                         commit=True)
            raise SecondFactorRequired(user)
        if not mfa.verify(user=user, code=otp):
            return _failed(user, reserved, now)
    return _succeed(user, now)


def complete_second_factor(*, user_id: int, session_nonce: str, otp: str) -> User | None:
    """The browser login's second step: the user whose password step passed, if `otp` is right."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, session_nonce):
        return None
    now = utcnow()
    reserved = login_limits.reserve_account_attempt(email=user.email, now=now)
    if _over_limit(user, reserved):
        return None
    if not mfa.verify(user=user, code=otp):
        return _failed(user, reserved, now)
    return _succeed(user, now)


def _local_passwords_disabled(user: User) -> bool:
    # The agency signs its people in through its own provider (services/sso.py) only.
    return bool(db.session.scalar(
        sa.select(AgencySso.local_passwords_disabled).where(AgencySso.agency_id == user.agency_id)
    ))


def _source_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _over_limit(user: User, reserved: tuple[int, int] | None) -> bool:
    # Locked, or parallel attempts already used up this account's allowance: not evaluated.
    if reserved is None or reserved[1] > current_app.config["LOGIN_MAX_FAILURES"]:
        audit.record(action="login", actor=user, object_type="user", object_id=user.id, outcome="locked", commit=True)
        return True
    return False


def _failed(user: User, reserved: tuple[int, int], now) -> None:
    if reserved[1] >= current_app.config["LOGIN_MAX_FAILURES"]:
        login_limits.lock_account(user_id=user.id, until=now + current_app.config["LOGIN_LOCKOUT"])
        audit.record(action="lockout", actor=user, object_type="user", object_id=user.id)
    audit.record(action="login", actor=user, object_type="user", object_id=user.id, outcome="failure")
    db.session.commit()
    return None


def _succeed(user: User, now) -> User:
    login_limits.clear_account_attempts(user_id=user.id)
    login_limits.release_address_attempt(source_ip=_source_ip())
    user.last_login_at = now
    audit.record(action="login", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def end_sessions(*, user: User) -> None:
    """Invalidate every browser session of the user (logout everywhere, deactivation)."""
    user.session_nonce = secrets.token_hex(16)


def _end_access(user: User) -> None:
    """End every browser session and revoke every API token of the user, so a change applies at once."""
    end_sessions(user=user)
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )


def deactivate_user(*, user: User, actor: User | None) -> None:
    """Deactivate an account: its browser sessions end and every API token is revoked."""
    user.active = False
    _end_access(user)
    audit.record(action="user.deactivate", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()


def change_role(*, user: User, role: str, actor: User | None) -> None:
    """Give a user another role; their sessions and tokens end so the new rights apply at once."""
    if role == user.role:
        return
    user.role = role
    _end_access(user)
    audit.record(action="user.role_change", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()


def find_user(*, email: str) -> User | None:
    """The user with this email (case-insensitive), or None."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User) -> tuple[str, int]:
    """A new bearer token and its lifetime in seconds; only the digest is stored."""
    token = secrets.token_urlsafe(32)
    ttl: timedelta = current_app.config["API_TOKEN_TTL"]
    db.session.add(ApiToken(user=user, token_hash=_token_digest(token), expires_at=utcnow() + ttl))
    audit.record(action="token.issue", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    return token, int(ttl.total_seconds())


def user_for_token(token: str) -> User | None:
    """The active user holding this unexpired, unrevoked token."""
    api_token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if api_token is None or api_token.revoked_at is not None or api_token.expires_at <= utcnow():
        return None
    if not api_token.user.active:
        return None
    return api_token.user


def revoke_token(*, token: str, actor: User) -> bool:
    """Revoke the caller's own token; True when it existed."""
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(token), ApiToken.user_id == actor.id)
    )
    if api_token is None:
        return False
    api_token.revoked_at = utcnow()
    audit.record(action="token.revoke", actor=actor, object_type="user", object_id=actor.id)
    db.session.commit()
    return True

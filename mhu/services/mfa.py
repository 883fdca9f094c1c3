"""Second factor: TOTP authenticators (RFC 6238) with one-time recovery codes.

A factor is pending from enrolment until a first code confirms it. Each accepted code moves the
factor's last used step forward in one conditional UPDATE, so a code observed over a shoulder, or
sent twice at once, is good only once. Recovery codes are single use the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import RecoveryCode, TotpFactor, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, sealed

ISSUER = "MHU"
SEALED_PURPOSE = "totp secret"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30
# One step either side of now: tablet clocks drift, and a code typed at the end of its step
# should still count.
VALID_WINDOW = 1


def _recovery_digest(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hmac.new(current_app.config["SECRET_KEY"].encode(), normalised.encode(), hashlib.sha256).hexdigest()


def _factor(user: User) -> TotpFactor | None:
    return db.session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == user.id))


def _secret(factor: TotpFactor) -> str:
    try:
        return sealed.unseal(factor.secret_encrypted, purpose=SEALED_PURPOSE)
    except sealed.Unreadable as error:  # SECRET_KEY changed since enrolment: docs/security.md
        raise ServiceError("The authenticator cannot be read; ask an administrator to reset it.", status=409) from error


def enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator."""
    return db.session.scalar(
        sa.select(TotpFactor.id).where(TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_not(None))
    ) is not None


def required_for(user: User) -> bool:
    """Whether this user must use a second factor: roles that read identified records, when the
    agency says so (unset: MFA_REQUIRED_DEFAULT, on in production)."""
    if not policy.can_identify_persons(user):
        return False
    setting = user.agency.mfa_required
    return current_app.config["MFA_REQUIRED_DEFAULT"] if setting is None else setting


def enrolment_missing(user: User) -> bool:
    """The user must set up an authenticator before doing anything else."""
    return required_for(user) and not enrolled(user)


def begin_totp(*, user: User) -> dict:
    """Start (or restart) enrolment: a new secret, its otpauth URI and ten recovery codes."""
    factor = _factor(user)
    if factor is not None and factor.confirmed_at is not None:
        raise ServiceError("An authenticator is already set up; an administrator can reset it.", status=409)
    secret = pyotp.random_base32()
    if factor is None:
        factor = TotpFactor(user_id=user.id)
        db.session.add(factor)
    factor.secret_encrypted = sealed.seal(secret, purpose=SEALED_PURPOSE)
    factor.last_used_step = None
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(code)) for code in codes)
    audit.record(action="mfa.enrol_start", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return {"secret": secret, "otpauth_uri": uri, "recovery_codes": codes}


def _accept_totp(factor: TotpFactor, code: str) -> bool:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(_secret(factor))
    now_step = int(time.time()) // STEP_SECONDS
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            claimed = db.session.execute(
                sa.update(TotpFactor)
                .where(TotpFactor.id == factor.id,
                       sa.or_(TotpFactor.last_used_step.is_(None), TotpFactor.last_used_step < step))
                .values(last_used_step=step)
            )
            return claimed.rowcount == 1
    return False


def confirm_totp(*, user: User, code: str) -> None:
    """Confirm a pending authenticator with its first code; ServiceError (422) for a wrong code."""
    factor = _factor(user)
    if factor is None:
        raise ServiceError("Start the authenticator setup first.", status=409)
    if factor.confirmed_at is not None:
        raise ServiceError("The authenticator is already confirmed.", status=409)
    if not _accept_totp(factor, code or ""):
        db.session.rollback()
        raise ServiceError("The code is not correct.", {"code": ["The code is not correct; enter the current one."]})
    factor.confirmed_at = utcnow()
    audit.record(action="mfa.enabled", actor=user, object_type="user", object_id=user.id)
    db.session.commit()


def verify(*, user: User, code: str) -> bool:
    """Whether `code` is a fresh TOTP code or an unused recovery code of the user (consumes it).

    The caller commits (with the login's success or failure record)."""
    factor = _factor(user)
    if factor is None or factor.confirmed_at is None or not code:
        return False
    if _accept_totp(factor, code):
        return True
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_digest(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount == 1:
        audit.record(action="mfa.recovery_code_used", actor=user, object_type="user", object_id=user.id)
        return True
    return False


def remaining_recovery_codes(user: User) -> int:
    """Unused recovery codes of the user."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def reset(*, user: User, actor: User | None) -> None:
    """Remove the user's authenticator and recovery codes (lost phone); their sessions end."""
    db.session.execute(sa.delete(TotpFactor).where(TotpFactor.user_id == user.id))
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_nonce = secrets.token_hex(16)
    audit.record(action="mfa.reset", actor=actor, object_type="user", object_id=user.id)
    db.session.commit()


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, drawn here (no image service sees the secret)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="Authenticator setup QR code", border=2)

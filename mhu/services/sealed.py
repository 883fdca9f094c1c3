"""Secrets stored in the database (TOTP secrets, SSO client secrets), encrypted with a key derived
from SECRET_KEY, so a copy of the database alone does not reveal them. Rotating SECRET_KEY makes
them unreadable: docs/security.md says what to reset then."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class Unreadable(Exception):
    """The value was sealed under another SECRET_KEY (or altered)."""


def _fernet(purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"mhu {purpose}".encode()).derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, *, purpose: str) -> str:
    """`value` encrypted and authenticated under a key for this purpose."""
    return _fernet(purpose).encrypt(value.encode()).decode()


def unseal(sealed: str, *, purpose: str) -> str:
    """The value seal() was given; Unreadable when the key changed or the text was altered."""
    try:
        return _fernet(purpose).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise Unreadable(purpose) from error

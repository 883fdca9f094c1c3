"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 12
MAX_LENGTH = 256
# Length, not composition, per NIST SP 800-63B; refuse the passwords every attacker tries first.
COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password12", "password123", "password1234", "passw0rd",
        "123456789012", "1234567890123", "qwertyuiopas", "qwerty123456", "iloveyou1234",
        "letmein12345", "welcome12345", "administrator", "changeme1234", "trustno1trustno1",
        "correcthorsebatterystaple", "aaaaaaaaaaaa", "abcdefghijkl", "abc123abc123",
        "police123456", "passwordpassword", "qwertyqwerty", "111111111111", "000000000000",
    }
)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the account does not exist, so timing does not tell.
DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Reasons the password is refused; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a passphrase of several words works well.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append("This password is too common or predictable.")
    if email and lowered == email.lower():
        problems.append("The password must not be the email address.")
    return problems

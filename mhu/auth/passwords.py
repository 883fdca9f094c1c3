"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn estimates how many guesses an attacker needs, from its shipped lists of common
# passwords, names and words, keyboard patterns, dates and l33t substitutions (NIST SP 800-63B:
# check against known and predictable passwords, not composition rules). Score 4 means at least
# 10^10 guesses; `Summer2024!!` (score 3) and `P@ssw0rd1234` (score 1) are refused.
MIN_SCORE = 4
# zxcvbn's own input limit; beyond 72 characters the first 72 are what it rates.
ESTIMATED_LENGTH = 72


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
    """Reasons the password is refused, for the person choosing it; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a passphrase of several words works well.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if email and password.lower() == email.lower():
        problems.append("The password must not be the email address.")
    elif MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.extend(_strength_problems(password, email=email))
    return problems


def _strength_problems(password: str, *, email: str | None) -> list[str]:
    user_inputs = ["mhu", "mental", "health", "police", "crisis"]
    if email:
        user_inputs += [email, *email.replace("@", ".").split(".")]
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=user_inputs)
    if estimate["score"] >= MIN_SCORE:
        return []
    feedback = estimate["feedback"]
    reason = feedback.get("warning") or "This password is too easy to guess."
    suggestions = feedback.get("suggestions") or ["Add another word or two. Uncommon words are better."]
    return [" ".join([reason, *suggestions])]

"""Configuration classes, driven by the environment.

`MHU_CONFIG` picks the class (development, production, test); `DATABASE_URL` picks the database
(SQLite in instance/ when unset). Production refuses to start without a real SECRET_KEY.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("MHU_INSTANCE_PATH", BASE_DIR / "instance"))


def database_url(default: str | None, variable: str = "DATABASE_URL") -> str | None:
    """DATABASE_URL (or another variable) with any PostgreSQL scheme mapped to the psycopg 3 driver."""
    url = os.environ.get(variable) or default
    if url is None:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


_SWITCH = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def env_switch(variable: str, default: bool) -> bool:
    """A yes/no variable (1/0, true/false, yes/no, on/off; unset or empty: the default). Anything
    else is refused, never read as "no": MHU_MFA_REQUIRED=required must not turn two-step sign-in off."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if raw.lower() not in _SWITCH:
        raise RuntimeError(f"{variable}={raw!r}: use 1 or 0 (or true/false, yes/no, on/off).")
    return _SWITCH[raw.lower()]


def env_int(variable: str, default: int) -> int:
    """A whole-number variable (unset or empty: the default); anything else is refused by name."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        # systemd's EnvironmentFile keeps "  # ..." after a value as part of the value.
        hint = " (a comment after a value is part of the value: put comments on their own line)" if "#" in raw else ""
        raise RuntimeError(f"{variable}={raw!r} is not a whole number{hint}.") from None


def local_secret_key() -> str:
    """A key generated once into instance/ so local sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("MHU_SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'mhu.sqlite3'}")
    # PostgreSQL: the tables' owner, used only by `flask db upgrade` (mhu/db_roles.py); the app
    # itself connects as DATABASE_URL's role, which owns nothing and cannot drop the audit trigger.
    MIGRATION_DATABASE_URI = database_url(None, "MIGRATION_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite: WAL, foreign keys and this busy timeout are set on every connection (mhu/db_setup.py).
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    API_TITLE = "MHU API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # Every operation needs a bearer token or a session cookie unless it says security: [].
    API_SPEC_OPTIONS = {"security": [{"bearerAuth": []}, {"sessionCookie": []}]}

    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    # Import uploads (POST /api/v1/imports) may be larger than any other request.
    IMPORT_MAX_UPLOAD_BYTES = env_int("MHU_IMPORT_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
    API_TOKEN_TTL = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Invitations and forced password resets: one-time links valid this long.
    ACCOUNT_LINK_TTL = timedelta(hours=72)
    # Tokens an administrator issues for integration accounts: the longest lifetime allowed.
    INTEGRATION_TOKEN_MAX_DAYS = 365
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=10)
    # A second factor for officers, clinicians and supervisors unless the agency decides
    # otherwise (agency.mfa_required); on by default in production (CJIS advanced authentication).
    MFA_REQUIRED_DEFAULT = env_switch("MHU_MFA_REQUIRED", False)
    # How long the browser login waits for the code after the password step.
    MFA_PENDING_SECONDS = 300
    # Failed logins per source address per window, counted across all workers (mhu/security.py).
    LOGIN_RATE_LIMIT = env_int("MHU_LOGIN_RATE_LIMIT", 20)
    LOGIN_RATE_WINDOW = timedelta(minutes=5)
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none).
    PROXY_FIX_HOPS = env_int("MHU_PROXY_FIX_HOPS", 0)
    HSTS_SECONDS = 0
    DASH_DEV_TOOLS = False
    # pg_dump / pg_restore for `flask backup` and `flask restore` (PATH first, then this directory).
    PG_BIN = os.environ.get("MHU_PG_BIN", "/usr/lib/postgresql/15/bin")

    FOLLOWUP_DUE_HOURS = 48
    REPEAT_WINDOW_DAYS = 90
    HIGH_UTILIZER_THRESHOLD = 4
    SUPPRESSION_THRESHOLD = 11
    DEFAULT_PAGE_SIZE = 50
    MAX_PAGE_SIZE = 500

    DEMO_PASSWORD = os.environ.get("MHU_DEMO_PASSWORD")

    # Anonymous surveys: how long an invitation link works, the longest comment kept, and requests
    # to the public page per address and window (docs/surveys-and-reminders.md).
    SURVEY_TTL_DAYS = env_int("MHU_SURVEY_TTL_DAYS", 14)
    SURVEY_COMMENT_MAX = 1000
    SURVEY_RATE_LIMIT = env_int("MHU_SURVEY_RATE_LIMIT", 30)
    SURVEY_RATE_WINDOW = timedelta(minutes=10)
    # Follow-up reminders: "due soon" this many hours before the deadline; mail through the
    # agency's SMTP server; links in mail start with MHU_BASE_URL (e.g. https://mhu.example.org).
    REMINDER_LEAD_HOURS = env_int("MHU_REMINDER_LEAD_HOURS", 12)
    BASE_URL = os.environ.get("MHU_BASE_URL", "http://127.0.0.1:5000")
    SMTP_HOST = os.environ.get("MHU_SMTP_HOST")
    SMTP_PORT = env_int("MHU_SMTP_PORT", 587)
    SMTP_USER = os.environ.get("MHU_SMTP_USER")
    SMTP_PASSWORD = os.environ.get("MHU_SMTP_PASSWORD")
    SMTP_STARTTLS = env_switch("MHU_SMTP_STARTTLS", True)
    SMTP_FROM = os.environ.get("MHU_SMTP_FROM", "mhu-noreply@localhost")
    SMTP_TIMEOUT_SECONDS = 15


class DevelopmentConfig(Config):
    # SECRET_KEY falls back to local_secret_key(), resolved by create_app() only when this
    # class is chosen, so importing config never writes a key file.
    # Local runs are plain HTTP on 127.0.0.1; Secure cookies would never be sent back.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("MHU_TEST_DATABASE_URL") or "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


def looks_random(key: str) -> bool:
    """Whether a secret has real entropy: many distinct characters and no guessable pattern
    (zxcvbn's top score), so 32 times "a" or "0123456789" repeated is refused."""
    from zxcvbn import zxcvbn

    return len(set(key)) >= 10 and zxcvbn(key[:72])["score"] >= 4


class ProductionConfig(Config):
    DEBUG = False
    TESTING = False
    PROPAGATE_EXCEPTIONS = False
    DASH_DEV_TOOLS = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 31_536_000
    MFA_REQUIRED_DEFAULT = env_switch("MHU_MFA_REQUIRED", True)

    @classmethod
    def validate(cls) -> None:
        """Refuse to run production with a missing or toy secret."""
        key = cls.SECRET_KEY or ""
        if any(character.isspace() for character in key):
            # systemd's EnvironmentFile would keep a trailing "# comment" in the key, so the service
            # and the shell-sourced cron jobs would sign and seal with different keys.
            raise RuntimeError("MHU_SECRET_KEY contains spaces (a comment after the value?): put comments "
                               "on their own line in the environment file.")
        if len(key) < 32 or not looks_random(key):
            raise RuntimeError(
                "MHU_SECRET_KEY must be set to a random value of at least 32 characters in "
                "production (python -c 'import secrets; print(secrets.token_hex(32))')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}

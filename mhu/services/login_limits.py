"""Login attempt limits, per account and per source address, counted atomically in the database.

Each attempt first reserves its place with one `UPDATE ... RETURNING` (per account) or one
upsert `... RETURNING` (per address) and is evaluated only if its place is within the limit.
Reading a counter and writing it back let parallel failures overwrite each other (20 parallel
wrong passwords left the account counter at 2); a single statement is serialised by the
database's row lock on PostgreSQL and by the write lock on SQLite, so every attempt is counted.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mhu.extensions import db
from mhu.models import LoginThrottle, User
from mhu.models.types import UTCDateTime, utcnow

UNKNOWN_ADDRESS = "unknown"


def reserve_account_attempt(*, email: str, now: datetime) -> tuple[int, int] | None:
    """Count one attempt on the account unless it is locked: (user id, attempts so far), or None
    when no such account exists or it is locked."""
    row = db.session.execute(
        sa.update(User)
        .where(User.email == email, sa.or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.id, User.failed_logins)
    ).first()
    db.session.commit()
    return (row[0], row[1]) if row is not None else None


def lock_account(*, user_id: int, until: datetime) -> None:
    """Lock the account and start its count again (the caller commits)."""
    db.session.execute(sa.update(User).where(User.id == user_id).values(locked_until=until, failed_logins=0))


def clear_account_attempts(*, user_id: int) -> None:
    """A successful login: the account's count starts again (the caller commits)."""
    db.session.execute(sa.update(User).where(User.id == user_id).values(failed_logins=0, locked_until=None))


def reserve_address_attempt(*, source_ip: str | None, window: timedelta, limit: int) -> bool:
    """Count one attempt from the address; whether it is within `limit` for the current window.

    The window starts at the first attempt after the previous one expired.
    """
    now = utcnow()
    table = LoginThrottle.__table__
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
    expired = table.c.window_start < sa.literal(now - window, UTCDateTime())
    statement = insert.values(source_ip=source_ip or UNKNOWN_ADDRESS, window_start=now, attempts=1).on_conflict_do_update(
        index_elements=[table.c.source_ip],
        set_={
            "attempts": sa.case((expired, 1), else_=table.c.attempts + 1),
            "window_start": sa.case((expired, sa.literal(now, UTCDateTime())), else_=table.c.window_start),
        },
    ).returning(table.c.attempts)
    attempts = db.session.execute(statement).scalar_one()
    db.session.commit()
    return attempts <= limit


def release_address_attempt(*, source_ip: str | None) -> None:
    """A successful login does not count against its address (the caller commits)."""
    db.session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.source_ip == (source_ip or UNKNOWN_ADDRESS), LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )


def release_account_attempt(*, user_id: int) -> None:
    """Give back an attempt that was not a failure (the password step of a two-step login)."""
    db.session.execute(
        sa.update(User).where(User.id == user_id, User.failed_logins > 0).values(failed_logins=User.failed_logins - 1)
    )

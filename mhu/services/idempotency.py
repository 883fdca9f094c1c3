"""Idempotent POSTs: the first request with an `Idempotency-Key` does the work; retries get its answer.

A key is claimed by inserting a row (unique per user and key), so concurrent twins serialise on
the database. The work's own transaction marks the claim as committed (WORK_COMMITTED), so a
process that dies after the work but before the answer is stored never runs the request twice.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mhu.extensions import db
from mhu.models import IdempotencyRecord
from mhu.models.types import utcnow
from mhu.services import ServiceError

# A key whose first request never finished (crash, timeout) is released after this long.
STALE_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 10.0
# status_code of a claim whose work has committed but whose answer is not stored yet.
WORK_COMMITTED = 0
# Answers that are not final for a body: the key is released so a retry runs again.
RETRYABLE_STATUSES = frozenset({401, 403, 409, 412, 428})


def claim(*, user_id: int, key: str, fingerprint: str) -> IdempotencyRecord:
    """Claim the key for this request; a record with a stored answer means "replay it".

    Waits (up to WAIT_SECONDS) while a twin with the same key is still working.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        existing = db.session.scalar(
            sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        )
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise ServiceError("This Idempotency-Key was used with a different request body.")
            if has_answer(existing):
                return existing
            stale = utcnow() - existing.created_at > STALE_AFTER
            if stale and existing.status_code == WORK_COMMITTED:
                raise ServiceError("This request was carried out, but its answer was lost; look the record up instead.",
                                   status=409)
            if stale:
                db.session.delete(existing)
                db.session.commit()
                continue
            db.session.rollback()
            if time.monotonic() > deadline:
                raise ServiceError("A request with this Idempotency-Key is still being processed; retry shortly.",
                                   status=409)
            time.sleep(0.05)
            continue
        record = IdempotencyRecord(user_id=user_id, key=key, request_fingerprint=fingerprint)
        db.session.add(record)
        try:
            db.session.commit()
            return record
        except IntegrityError:
            db.session.rollback()  # a concurrent twin claimed it first: wait for its answer


def has_answer(record: IdempotencyRecord) -> bool:
    """Whether the claim holds the first request's final answer (to be replayed)."""
    return record.status_code not in (None, WORK_COMMITTED)


@contextmanager
def marking_work_committed(record_id: int):
    """While the work runs, its commit also marks the claim WORK_COMMITTED, in the same transaction."""

    def mark(session):
        session.execute(sa.update(IdempotencyRecord).where(
            IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None)
        ).values(status_code=WORK_COMMITTED))

    session = db.session()
    sa.event.listen(session, "before_commit", mark)
    try:
        yield
    finally:
        sa.event.remove(session, "before_commit", mark)


def store_answer(*, record_id: int, status: int, body: str, headers: dict) -> None:
    """Keep the first request's answer for replays."""
    record = db.session.get(IdempotencyRecord, record_id)
    record.status_code = status
    record.response_body = body
    record.response_headers = headers
    db.session.commit()


def release(*, record_id: int) -> None:
    """Forget the claim so a retry runs the request again."""
    db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()

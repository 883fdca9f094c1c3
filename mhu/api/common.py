"""Pieces every API view uses: the actor, pagination, ETags and idempotent POSTs."""

import hashlib
import json
import time
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, abort, current_app, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from mhu.extensions import db
from mhu.models import IdempotencyRecord
from mhu.models.types import utcnow
from schemas.common import ErrorSchema

ERROR_DESCRIPTIONS = {
    400: "Malformed request (for example invalid JSON)",
    401: "Not logged in and no valid bearer token",
    403: "Your role may not do this",
    404: "No such record in your agency",
    409: "Conflicts with the record's state",
    412: "The record changed since you read it (stale If-Match)",
    422: "Invalid fields; see errors",
    428: "If-Match header required",
    429: "Too many failed logins from this address; retry after the Retry-After seconds",
}
# A key whose first request never finished (crash, timeout) is released after this long.
IDEMPOTENCY_STALE_AFTER = timedelta(seconds=60)
IDEMPOTENCY_WAIT_SECONDS = 10.0
# status_code of a claim whose work has committed (written in the work's own transaction) but whose
# answer is not stored yet. If the process dies in between, the key must never run again.
WORK_COMMITTED = 0


def actor():
    """The authenticated user (views are guarded, so this is never anonymous)."""
    return current_user._get_current_object()


def documented_errors(blp, *codes):
    """Document the listed error responses, with the shared error schema, on a view."""

    def decorator(view):
        for code in codes:
            view = blp.alt_response(code, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[code])(view)
        return view

    return decorator


def page_body(items, total: int, page: int, per_page: int) -> dict:
    """The paginated envelope: items plus page, per_page, total and pages."""
    return {"items": items, "total": total, "page": page, "per_page": per_page, "pages": -(-total // per_page)}


def or_404(record):
    """The record, or a 404 that does not say whether it exists in another agency."""
    if record is None:
        abort(404, "No such record.")
    return record


def etag_headers(record) -> dict:
    """The ETag of a versioned record."""
    return {"ETag": f'"{record.version}"'}


def required_if_match() -> int:
    """The version named by If-Match; 428 when absent, 412 when unparseable."""
    header = request.headers.get("If-Match")
    if not header:
        abort(428, "Send If-Match with the ETag you read, so edits never overwrite each other.")
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        abort(412, "If-Match does not name a version of this record.")
    return int(value)


def _fingerprint() -> str:
    body = request.get_data(cache=True)
    return hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(), body)).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code, mimetype="application/json")
    for key, value in (record.response_headers or {}).items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """Claim the key for this request, or answer as the first request with it did."""
    deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
    while True:
        existing = db.session.scalar(
            sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        )
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                abort(422, "This Idempotency-Key was used with a different request body.")
            if existing.status_code not in (None, WORK_COMMITTED):
                return _replay(existing)
            stale = utcnow() - existing.created_at > IDEMPOTENCY_STALE_AFTER
            if stale and existing.status_code == WORK_COMMITTED:
                abort(409, "This request was carried out, but its answer was lost; look the record up instead.")
            if stale:
                db.session.delete(existing)
                db.session.commit()
                continue
            db.session.rollback()
            if time.monotonic() > deadline:
                abort(409, "A request with this Idempotency-Key is still being processed; retry shortly.")
            time.sleep(0.05)
            continue
        record = IdempotencyRecord(user_id=user_id, key=key, request_fingerprint=fingerprint)
        db.session.add(record)
        try:
            db.session.commit()
            return record
        except IntegrityError:
            db.session.rollback()  # a concurrent twin claimed it first: wait for its answer


def idempotent(view):
    """Honour an Idempotency-Key header: a replay returns the first response, once created."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            abort(400, "Idempotency-Key must be at most 200 characters.")
        user_id = current_user.id
        claimed = _claim(user_id, key, _fingerprint())
        if isinstance(claimed, Response):
            return claimed
        record_id = claimed.id

        def mark_work_committed(session):
            session.execute(sa.update(IdempotencyRecord).where(
                IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None)
            ).values(status_code=WORK_COMMITTED))

        session = db.session()
        sa.event.listen(session, "before_commit", mark_work_committed)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except Exception:
            db.session.rollback()
            _release(record_id)
            raise
        finally:
            sa.event.remove(session, "before_commit", mark_work_committed)
        if response.status_code >= 500 or response.status_code in (401, 403, 409, 412, 428):
            _release(record_id)  # not a final answer for this body: let a retry run again
            return response
        record = db.session.get(IdempotencyRecord, record_id)
        record.status_code = response.status_code
        record.response_body = response.get_data(as_text=True)
        record.response_headers = {k: v for k, v in response.headers.items() if k in ("Location", "ETag")}
        db.session.commit()
        return response

    return wrapped


def _release(record_id: int) -> None:
    db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()

"""Pieces every API view uses: the actor, pagination, ETags and idempotent POSTs."""

import hashlib
import re
from functools import wraps

from flask import Response, abort, current_app, request
from flask_login import current_user

from mhu.extensions import db
from mhu.services import idempotency
from schemas.common import ErrorSchema

VERSION = re.compile(r"[0-9]{1,10}")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")

ERROR_DESCRIPTIONS = {
    400: "Malformed request (for example invalid JSON, or an If-Match that is not a version)",
    401: "Not logged in and no valid bearer token",
    403: "Your role may not do this",
    404: "No such record in your agency",
    409: "Conflicts with the record's state",
    412: "The record changed since you read it (stale If-Match)",
    422: "Invalid fields; see errors",
    428: "If-Match header required",
    429: "Too many failed logins from this address; retry after the Retry-After seconds",
}


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


IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the version you read (`\"3\"`, `W/\"3\"` or `3`); a stale one answers 412.",
    "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,10}"?$', "maxLength": 14},
}


def if_match_documented(blp):
    """Show the If-Match header an edit requires in the OpenAPI spec."""
    return blp.doc(parameters=[IF_MATCH_PARAMETER])


def required_if_match() -> int:
    """The version named by If-Match; 428 when absent, 400 when it is not a version number."""
    header = request.headers.get("If-Match")
    if not header:
        abort(428, "Send If-Match with the ETag you read, so edits never overwrite each other.")
    value = header.strip().removeprefix("W/").strip('"')
    # Versions are 32-bit counters: ten ASCII digits at most (a 5,000-digit value is not one).
    if not VERSION.fullmatch(value):
        abort(400, "If-Match must be the ETag you read: a version number of at most ten digits.")
    return int(value)


def _fingerprint() -> str:
    body = request.get_data(cache=True)
    return hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(), body)).hexdigest()


def _replay(record) -> Response:
    response = Response(record.response_body, status=record.status_code, mimetype="application/json")
    for key, value in (record.response_headers or {}).items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Honour an Idempotency-Key header: a replay returns the first response, once created."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if not IDEMPOTENCY_KEY.fullmatch(key):
            abort(400, "Idempotency-Key must be 1 to 200 printable ASCII characters.")
        claimed = idempotency.claim(user_id=current_user.id, key=key, fingerprint=_fingerprint())
        if idempotency.has_answer(claimed):
            return _replay(claimed)
        record_id = claimed.id
        try:
            with idempotency.marking_work_committed(record_id):
                response = current_app.make_response(view(*args, **kwargs))
        except Exception:
            db.session.rollback()
            idempotency.release(record_id=record_id)
            raise
        if response.status_code >= 500 or response.status_code in idempotency.RETRYABLE_STATUSES:
            idempotency.release(record_id=record_id)
            return response
        idempotency.store_answer(
            record_id=record_id, status=response.status_code, body=response.get_data(as_text=True),
            headers={k: v for k, v in response.headers.items() if k in ("Location", "ETag")},
        )
        return response

    return wrapped

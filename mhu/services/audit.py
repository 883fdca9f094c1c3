"""The audit trail: one event per write and per read of identified data, in the same transaction."""

import uuid

from flask import g, has_request_context, request

from mhu.extensions import db
from mhu.models import AuditEvent, User


def request_id() -> str | None:
    """The current request's id (set per request; echoed in the X-Request-ID header)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
    return g.request_id


def record(
    *,
    action: str,
    actor: User | None,
    object_type: str | None = None,
    object_id=None,
    outcome: str = "success",
    commit: bool = False,
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction)."""
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        role=actor.role if actor is not None else None,
        agency_id=actor.agency_id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        outcome=outcome,
        request_id=request_id(),
        source_ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event

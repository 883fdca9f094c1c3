"""Searching and exporting the audit trail (administrators of the agency)."""


import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, User
from mhu.services import audit, csv_writer

EXPORT_COLUMNS = (
    "id", "occurred_at", "user_id", "role", "agency_id", "action", "object_type", "object_id",
    "outcome", "request_id", "source_ip",
)
EXPORT_MAX_ROWS = 100_000
# Action prefixes of the changes administrators make (services/admin.py, agency_settings.py).
CATEGORIES = {"permission": "permission.", "config": "config."}
def audit_query(*, actor: User, filters: dict) -> sa.Select:
    """Events of the actor's agency only. Events with no agency (CLI actions, failed logins for
    unknown emails, with their source addresses) belong to no agency's administrator: the system
    operator reads them with `flask audit-export --system`."""
    query = sa.select(AuditEvent).where(AuditEvent.agency_id == actor.agency_id)
    for name in ("user_id", "object_type", "object_id", "action", "outcome"):
        if filters.get(name) is not None:
            query = query.where(getattr(AuditEvent, name) == filters[name])
    if filters.get("category") in CATEGORIES:
        query = query.where(AuditEvent.action.startswith(CATEGORIES[filters["category"]], autoescape=True))
    if filters.get("since") is not None:
        query = query.where(AuditEvent.occurred_at >= filters["since"])
    if filters.get("until") is not None:
        query = query.where(AuditEvent.occurred_at < filters["until"])
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def search_events(*, actor: User, filters: dict, page: int, per_page: int) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and the total; the search is itself audited."""
    query = audit_query(actor=actor, filters=filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    audit.record(action="audit.search", actor=actor, object_type="audit_event", commit=True)
    return list(rows), total


def export_csv(*, actor: User, filters: dict) -> tuple[str, int]:
    """Matching events as CSV (capped at EXPORT_MAX_ROWS) and the row count; audited as an export."""
    rows = db.session.execute(
        audit_query(actor=actor, filters=filters).with_only_columns(
            *(getattr(AuditEvent, name) for name in EXPORT_COLUMNS)
        ).limit(EXPORT_MAX_ROWS)
    ).all()
    body = csv_writer.write_csv(EXPORT_COLUMNS, rows)
    audit.record(action="audit.export", actor=actor, object_type="audit_event", commit=True)
    return body, len(rows)


def export_system_csv() -> tuple[str, int]:
    """Events with no agency (CLI actions, failed logins for unknown emails) as CSV, for the system
    operator at the command line only; the export is itself recorded."""
    rows = db.session.execute(
        sa.select(*(getattr(AuditEvent, name) for name in EXPORT_COLUMNS))
        .where(AuditEvent.agency_id.is_(None)).order_by(AuditEvent.id).limit(EXPORT_MAX_ROWS)
    ).all()
    body = csv_writer.write_csv(EXPORT_COLUMNS, rows)
    audit.record(action="audit.export", actor=None, object_type="audit_event", commit=True)
    return body, len(rows)

"""Searching and exporting the audit trail (administrators of the agency)."""

import csv
import io

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, User
from mhu.services import audit

EXPORT_COLUMNS = (
    "id", "occurred_at", "user_id", "role", "agency_id", "action", "object_type", "object_id",
    "outcome", "request_id", "source_ip",
)
EXPORT_MAX_ROWS = 100_000
# Action prefixes of the changes administrators make (services/admin.py, agency_settings.py).
CATEGORIES = {"permission": "permission.", "config": "config."}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); such cells
# get a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One CSV cell: ISO 8601 for times, '' for None, formula-looking text defused."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def audit_query(*, actor: User, filters: dict) -> sa.Select:
    """Events of the actor's agency, plus agency-less ones (failed logins with unknown emails)."""
    query = sa.select(AuditEvent).where(
        sa.or_(AuditEvent.agency_id == actor.agency_id, AuditEvent.agency_id.is_(None))
    )
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    audit.record(action="audit.export", actor=actor, object_type="audit_event", commit=True)
    return out.getvalue(), len(rows)

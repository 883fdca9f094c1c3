"""The audit trail for administrators: search and CSV export. There is no route to change it."""

from flask import Response
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors, page_body
from mhu.auth import policy, requires
from mhu.services import audit_query
from schemas.audit import AuditExportQuerySchema, AuditPageSchema, AuditQuerySchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail (administrators)")


@blp.route("")
@requires(policy.can_read_audit)
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@documented_errors(blp, 401, 403, 422)
def search(query):
    """Search events by user, record, action, outcome and time, newest first."""
    page, per_page = query.pop("page"), query.pop("per_page")
    items, total = audit_query.search_events(actor=actor(), filters=query, page=page, per_page=per_page)
    return page_body(items, total, page, per_page)


@blp.route("/export")
@requires(policy.can_read_audit)
@blp.arguments(AuditExportQuerySchema, location="query")
@blp.response(200, content_type="text/csv", description="The matching events as CSV")
@documented_errors(blp, 401, 403, 422)
def export(query):
    """Download the matching events as CSV; the download itself is recorded."""
    body, count = audit_query.export_csv(actor=actor(), filters=query)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-events.csv"', "X-Row-Count": str(count),
    })

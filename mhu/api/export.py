"""Row-level export of the agency's calls as CSV (supervisors and administrators)."""

from flask import Response, stream_with_context
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import export
from schemas.calls import CallExportQuerySchema

blp = Blueprint("export", __name__, url_prefix="/api/v1", description="Row-level export")


@blp.route("/calls.csv")
@requires(policy.can_export_calls)
@blp.arguments(CallExportQuerySchema, location="query")
@blp.response(200, content_type="text/csv")
@documented_errors(blp, 401, 403, 422)
def calls_csv(query):
    """The calls matching the list's filters, one row per call (columns: docs/import/README.md),
    streamed. Times in the agency's zone with offset, lists joined with `;`, no clinical notes."""
    lines = export.export_calls(actor=actor(), filters=query)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="calls.csv"'
    return response

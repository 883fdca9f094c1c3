"""Import batches (supervisors and administrators of the agency): start, follow, rejects, undo."""

import json
import tempfile
from pathlib import Path

from flask import Response, abort, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors, or_404
from mhu.auth import policy, requires
from mhu.extensions import db
from mhu.models import Team
from mhu.services import ServiceError, imports
from mhu.services.csv_writer import write_rows
from mhu.services.imports.profile import ProfileError, load_profile, parse_profile
from schemas.imports import ImportBatchSchema, ImportStartSchema

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports",
                description="Importing calls from CSV/XLSX files through mapping profiles")
UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def _profile(form, files, agency_id: int):
    """The profile of the request: an uploaded JSON file, JSON text, or a stored/shipped name.

    The file may come as `profile_file` (the import page) or as `profile` itself, which is what
    `curl -F profile=@profile.json` sends."""
    try:
        for part in ("profile_file", "profile"):
            if files.get(part) and files[part].filename:
                return load_profile(files[part].read())
        text = (form.get("profile") or "").strip()
        if text.startswith("{"):
            return load_profile(text)
        if not text:
            raise ServiceError("Choose a mapping profile.", {"profile": ["Required: a profile name or its JSON."]})
        stored = imports.stored_profile(agency_id=agency_id, name=text)
        if stored is None and text in imports.shipped_profiles():
            stored = parse_profile(imports.shipped_profiles()[text])
        if stored is None:
            raise ServiceError("Unknown profile.", {"profile": [f"No profile named {text!r} in your agency."]})
        return stored
    except ProfileError as error:
        raise ServiceError("The mapping profile cannot be used.", {"profile": error.problems}) from None


def _team(form, user) -> Team:
    value = form.get("team_id")
    if value in (None, ""):
        team = next((t for t in user.agency.teams if t.active), None)
        if team is None:
            raise ServiceError("The agency has no team.", {"team_id": ["Create a team first."]})
        return team
    if not str(value).isdigit():
        raise ServiceError("Unknown team.", {"team_id": ["Not a team id."]})
    team = db.session.get(Team, int(value))
    if team is None or team.agency_id != user.agency_id:
        raise ServiceError("Unknown team.", {"team_id": ["No such team in your agency."]})
    return team


@blp.route("")
class ImportCollection(MethodView):
    @requires(policy.can_import_calls)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": ImportStartSchema}}})
    @blp.response(202, ImportBatchSchema)
    @documented_errors(blp, 400, 401, 403, 422)
    def post(self):
        """Start an import batch from an uploaded file; poll GET /imports/{id} for its progress."""
        user = actor()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ServiceError("Choose a file to import.", {"file": ["Required: a CSV or XLSX file."]})
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise ServiceError("Unsupported file.", {"file": [f"Send a CSV or XLSX file, not {suffix or 'no extension'}."]})
        profile = _profile(request.form, request.files, user.agency_id)
        team = _team(request.form, user)
        dry_run = (request.form.get("dry_run") or "").strip().lower() in ("1", "true", "yes", "on")
        with tempfile.NamedTemporaryFile(suffix=suffix) as temporary:
            upload.save(temporary)
            temporary.flush()
            batch = imports.create_batch(actor=user, agency=user.agency, team=team, profile=profile,
                                         source=temporary.name, filename=upload.filename, dry_run=dry_run,
                                         sheet=request.form.get("sheet") or None)
        imports.start(batch)
        db.session.refresh(batch)
        return batch, 202, {"Location": f"/api/v1/imports/{batch.id}"}

    @requires(policy.can_import_calls)
    @blp.response(200, ImportBatchSchema(many=True))
    @documented_errors(blp, 401, 403)
    def get(self):
        """The agency's latest import batches."""
        return imports.list_batches(actor=actor())


@blp.route("/<uuid:batch_id>")
class ImportItem(MethodView):
    @requires(policy.can_import_calls)
    @blp.response(200, ImportBatchSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, batch_id):
        """Status, rows done of rows total, the counts, the first 100 errors and the preview."""
        return or_404(imports.get_batch(actor=actor(), batch_id=batch_id))


@blp.route("/<uuid:batch_id>/rejects.csv")
@requires(policy.can_import_calls)
@blp.response(200, content_type="text/csv")
@documented_errors(blp, 401, 403, 404)
def rejects_csv(batch_id):
    """The rejected rows: the file's columns plus `mhu_errors`, ready to fix and import again."""
    batch = or_404(imports.get_batch(actor=actor(), batch_id=batch_id))
    header = [*(batch.columns or []), "mhu_errors"]
    rows = ([*cells, reasons] for cells, reasons in imports.rejects(batch=batch))
    response = Response(stream_with_context(write_rows(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="rejects-{batch.id}.csv"'
    return response


@blp.route("/<uuid:batch_id>/undo", methods=["POST"])
@requires(policy.can_import_calls)
@blp.response(200, ImportBatchSchema)
@documented_errors(blp, 401, 403, 404, 409)
def undo(batch_id):
    """Void the calls the batch created and restore the fields it changed (audited)."""
    batch = or_404(imports.get_batch(actor=actor(), batch_id=batch_id))
    return imports.undo_batch(actor=actor(), batch=batch)


@blp.route("/profiles")
@requires(policy.can_import_calls)
@blp.response(200)
@documented_errors(blp, 401, 403)
def profiles():
    """Mapping profiles: the agency's stored ones and the examples shipped with MHU (name -> JSON)."""
    stored = {profile.name: profile.body for profile in imports.list_profiles(agency_id=actor().agency_id)}
    return json.loads(json.dumps({"stored": stored, "shipped": imports.shipped_profiles()}))


def allow_large_uploads() -> None:
    """Import uploads may exceed the general request size limit (IMPORT_MAX_UPLOAD_BYTES)."""
    from flask import current_app

    if request.method == "POST" and request.path.rstrip("/") in ("/api/v1/imports", "/imports"):
        request.max_content_length = current_app.config.get("IMPORT_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)


__all__ = ["blp", "allow_large_uploads", "abort"]

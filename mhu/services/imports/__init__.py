"""Importing calls from other systems: mapping profiles, batches, undo, restart recovery.

profile.py parses the profile contract, reader.py reads files, mapping.py turns one row into call
fields, batch.py runs a file through in bulk. This module is what the CLI, the API and the import
page call: create a batch, run it (here or in a background thread), read it, undo it.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from mhu.auth import policy
from mhu.auth.passwords import hash_password
from mhu.extensions import db
from mhu.models import Agency, Call, ImportBatch, ImportChange, ImportProfile, ImportReject, Team, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit
from mhu.services.imports.batch import BatchFailed, fail_batch, run_batch, write_calls
from mhu.services.imports.profile import LIST_FIELDS, TIME_FIELDS, Profile, ProfileError, parse_profile
from mhu.services.localtime import local_parts
from mhu.services.metrics import facts

# A running batch whose heartbeat (written with every chunk) is older than this lost its process.
STALE_AFTER = timedelta(minutes=2)
ID_CHUNK = 2000


def importer_account(agency: Agency) -> User:
    """The agency's service account that command-line imports are recorded as (it cannot log in)."""
    email = f"importer+{agency.id}@mhu.invalid"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name="Command-line import", role="integration", agency_id=agency.id,
                    password_hash=hash_password(secrets.token_urlsafe(32)), session_nonce=secrets.token_hex(16),
                    active=False)
        db.session.add(user)
        db.session.flush()
    return user


def save_profile(*, agency_id: int, profile: Profile) -> ImportProfile:
    """Store (or replace) the agency's profile of this name."""
    stored = db.session.scalar(sa.select(ImportProfile).where(
        ImportProfile.agency_id == agency_id, ImportProfile.name == profile.name))
    if stored is None:
        stored = ImportProfile(agency_id=agency_id, name=profile.name, body=profile.body)
        db.session.add(stored)
    else:
        stored.body = profile.body
    db.session.flush()
    return stored


def stored_profile(*, agency_id: int, name: str) -> Profile | None:
    """The agency's stored profile of this name, parsed."""
    stored = db.session.scalar(sa.select(ImportProfile).where(
        ImportProfile.agency_id == agency_id, ImportProfile.name == name))
    return parse_profile(stored.body) if stored is not None else None


def list_profiles(*, agency_id: int) -> list[ImportProfile]:
    return list(db.session.scalars(
        sa.select(ImportProfile).where(ImportProfile.agency_id == agency_id).order_by(ImportProfile.name)))


def shipped_profiles() -> dict[str, dict]:
    """The example profiles in docs/import/ (name -> body), offered on the import page."""
    import json

    folder = Path(current_app.root_path).parent / "docs" / "import"
    found = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            found[parse_profile(body).name] = body
        except (ValueError, ProfileError):
            continue
    return found


def create_batch(*, actor: User, agency: Agency, team: Team, profile: Profile, source: str | Path, filename: str,
                 dry_run: bool = False, sheet: str | None = None, keep_copy: bool = True) -> ImportBatch:
    """A queued batch; with keep_copy the file is copied under the instance folder so a restart
    can resume the batch after the upload's temporary file is gone."""
    batch = ImportBatch(
        id=uuid.uuid4(), agency_id=agency.id, team_id=team.id, created_by_id=actor.id, profile_name=profile.name,
        profile=profile.body, filename=filename[:255], sheet=sheet, dry_run=dry_run, status="queued",
    )
    if keep_copy:
        folder = Path(current_app.instance_path) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{batch.id}{Path(filename).suffix.lower()[:8]}"
        shutil.copyfile(source, target)
        batch.stored_path = str(target)
    else:
        batch.stored_path = str(source)
    save_profile(agency_id=agency.id, profile=profile)
    db.session.add(batch)
    audit.record(action="import.create", actor=actor, object_type="import_batch", object_id=batch.id)
    db.session.commit()
    return batch


def run(batch: ImportBatch, *, progress=None) -> ImportBatch:
    """Run a batch here, to its end."""
    return run_batch(batch, progress=progress)


def start(batch: ImportBatch, *, inline: bool = False) -> None:
    """Run a batch in a background thread with its own app context (here when `inline` or the
    IMPORTS_INLINE setting)."""
    app = current_app._get_current_object()
    if inline or app.config.get("IMPORTS_INLINE"):
        run_batch(batch)
        return
    threading.Thread(target=_run_in_thread, args=(app, batch.id), name=f"import-{batch.id}", daemon=True).start()


def _run_in_thread(app: Flask, batch_id: uuid.UUID) -> None:
    with app.app_context():
        try:
            batch = db.session.get(ImportBatch, batch_id)
            if batch is not None:
                run_batch(batch)
        except Exception:  # already recorded on the batch as failed
            app.logger.exception("import batch %s failed", batch_id)
        finally:
            db.session.remove()


def get_batch(*, actor: User, batch_id) -> ImportBatch | None:
    """The batch if it belongs to the actor's agency, else None (views answer 404)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.agency_id != actor.agency_id:
        return None
    return batch


def list_batches(*, actor: User, limit: int = 20) -> list[ImportBatch]:
    return list(db.session.scalars(sa.select(ImportBatch).where(ImportBatch.agency_id == actor.agency_id)
                                   .order_by(ImportBatch.created_at.desc()).limit(limit)))


def rejects(*, batch: ImportBatch):
    """(cells, reasons) of every rejected row, in file order, streamed."""
    query = (sa.select(ImportReject.values, ImportReject.reasons).where(ImportReject.batch_id == batch.id)
             .order_by(ImportReject.row_number, ImportReject.id).execution_options(yield_per=1000))
    for cells, reasons in db.session.execute(query):
        yield cells, reasons


def undo_batch(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Void the calls the batch created and put back the fields it changed (audited)."""
    if not policy.can_import_calls(actor) or batch.agency_id != actor.agency_id:
        raise ServiceError("You may not undo this import.", status=403)
    if batch.dry_run or batch.status not in ("done", "failed"):
        raise ServiceError(f"A {'dry run' if batch.dry_run else batch.status + ' import'} cannot be undone.", status=409)
    connection = db.session.connection()
    zone = db.session.get(Agency, batch.agency_id).timezone
    created = list(connection.scalars(sa.select(Call.id).where(Call.created_batch_id == batch.id)))
    days = set()
    now = utcnow()
    for part in _chunks(created):
        days |= set(connection.scalars(sa.select(Call.local_date).distinct().where(Call.id.in_(part))))
        connection.execute(
            sa.update(Call.__table__).where(Call.id.in_(part), Call.voided_at.is_(None))
            .values(voided_at=now, voided_by_id=actor.id, void_reason=f"Import {batch.id} undone",
                    version=Call.version + 1, updated_at=now, updated_by_id=actor.id))
        facts.refresh_call_facts(connection, part)
    # Their source keys go, as the calls are gone from the metrics: importing the records again
    # creates new calls. The calls keep the batch that created them.
    connection.execute(sa.update(Call.__table__).where(Call.created_batch_id == batch.id)
                       .values(source_profile=None, source_key=None, updated_at=Call.updated_at))
    changes = list(db.session.execute(sa.select(ImportChange.call_id, ImportChange.before)
                                      .where(ImportChange.batch_id == batch.id).order_by(ImportChange.id.desc())))
    by_fields: dict[tuple, list] = {}
    for call_id, before in changes:
        values = {name: (datetime.fromisoformat(value) if name in TIME_FIELDS and value else value)
                  for name, value in before.items()}
        by_fields.setdefault(tuple(sorted(values)), []).append((call_id, values))
    for names, rows in by_fields.items():
        ids = [call_id for call_id, _ in rows]
        days |= set(connection.scalars(sa.select(Call.local_date).distinct().where(Call.id.in_(ids))))
        write_calls(connection, rows, zone=zone, fields=list(names), actor_id=actor.id, team_id=batch.team_id)
        days |= {local_parts(values["received_at"], zone)[0] for _, values in rows if values.get("received_at")}
        facts.refresh_call_facts(connection, ids)
    facts.refresh_days(connection, batch.agency_id, days)
    batch.status, batch.undone_at = "undone", now
    audit.record(action="import.undo", actor=actor, object_type="import_batch", object_id=batch.id)
    db.session.commit()
    return batch


def _chunks(items: list, size: int = ID_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def recover_interrupted(*, inline: bool = False) -> list[uuid.UUID]:
    """Batches left queued or running by a process that ended: resume those whose file is still
    there (in a background thread), fail the others with what they wrote kept. Each batch is
    claimed with a compare-and-set on its heartbeat, so two processes never take the same one."""
    limit = utcnow() - STALE_AFTER
    table = ImportBatch.__table__
    candidates = db.session.execute(sa.select(table.c.id, table.c.heartbeat_at, table.c.created_at).where(
        table.c.status.in_(("queued", "running")),
        sa.func.coalesce(table.c.heartbeat_at, table.c.created_at) < limit)).all()
    resumed = []
    for batch_id, heartbeat, created_at in candidates:
        claimed = db.session.execute(
            sa.update(table).where(table.c.id == batch_id, table.c.heartbeat_at.is_(heartbeat)
                                   if heartbeat is None else table.c.heartbeat_at == heartbeat)
            .values(heartbeat_at=utcnow()))
        db.session.commit()
        if claimed.rowcount != 1:
            continue
        batch = db.session.get(ImportBatch, batch_id)
        if batch.stored_path and Path(batch.stored_path).is_file():
            resumed.append(batch_id)
            start(batch, inline=inline)
        else:
            fail_batch(batch, ["the server restarted and the uploaded file is gone; re-run the import "
                               "(its keys make that safe)"])
    return resumed


def init_app(app: Flask) -> None:
    """Recover interrupted batches on the first request each process serves."""
    state = {"done": False}

    @app.before_request
    def _recover_once():
        if state["done"]:
            return
        state["done"] = True
        try:
            recover_interrupted()
        except sa.exc.SQLAlchemyError:  # no schema yet (before `flask db upgrade`)
            db.session.rollback()


__all__ = [
    "BatchFailed", "ProfileError", "create_batch", "get_batch", "importer_account", "list_batches",
    "list_profiles", "parse_profile", "recover_interrupted", "rejects", "run", "save_profile", "shipped_profiles",
    "start", "stored_profile", "undo_batch", "LIST_FIELDS",
]

"""Imports of source records (CSV/XLSX files, the CAD feed) through mapping profiles.

A mapping profile is stored per agency by name. Each source record's key (the profile's `key`
columns) is kept on the call it became, unique per agency and profile (`Call.source_key`), so
importing the same record again updates its call instead of duplicating it. A batch keeps its
progress, counts, first errors and rejected rows; what it changed is kept in `import_change` so
it can be undone.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db, enum_column, utcnow

BATCH_STATUSES = ("queued", "running", "done", "failed", "undone")


class ImportProfile(db.Model):
    """A mapping profile (version 1 JSON) saved for an agency under its name."""

    __tablename__ = "import_profile"
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[dict] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportBatch(db.Model):
    """One run of a file through a profile: its progress, counts and first errors."""

    __tablename__ = "import_batch"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    profile_name: Mapped[str] = mapped_column(sa.String(120))
    profile: Mapped[dict] = mapped_column(sa.JSON)
    filename: Mapped[str] = mapped_column(sa.String(255))
    # Where the uploaded file is kept until the batch ends, so a restart can resume it.
    stored_path: Mapped[str | None] = mapped_column(sa.String(500))
    sheet: Mapped[str | None] = mapped_column(sa.String(120))
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(enum_column("import_status", BATCH_STATUSES), default="queued")
    rows_total: Mapped[int | None] = mapped_column()
    rows_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    # The source file's header, for the rejects file; the first errors; per-reason counts;
    # the first mapped rows (the dry run's preview).
    columns: Mapped[list | None] = mapped_column(sa.JSON)
    errors: Mapped[list | None] = mapped_column(sa.JSON)
    error_summary: Mapped[dict | None] = mapped_column(sa.JSON)
    preview: Mapped[list | None] = mapped_column(sa.JSON)
    failure: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written with every chunk: a running batch whose heartbeat is old lost its process.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def counts(self) -> dict:
        return {name: getattr(self, name)
                for name in ("created", "updated", "unchanged", "rejected", "skipped", "warnings")}


class ImportChange(db.Model):
    """The values a batch replaced on an existing call, so undo can put them back."""

    __tablename__ = "import_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"))
    before: Mapped[dict] = mapped_column(sa.JSON)


class ImportReject(db.Model):
    """A rejected source row as it was read, with its reasons (the rejects file)."""

    __tablename__ = "import_reject"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column()
    values: Mapped[list] = mapped_column(sa.JSON)
    reasons: Mapped[str] = mapped_column(sa.Text)

"""The CIT training roster: record, list, remove and import officers' completed courses.

Supervisors and administrators maintain it (auth.policy.can_maintain_training). Every write is
audited in the same transaction. Records belong to sworn members of the actor's agency (role
officer or supervisor); another agency's officer or record is reported as missing.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import CitTraining, User
from mhu.services import ServiceError, audit

SWORN_ROLES = ("officer", "supervisor")
MAX_HOURS = 1000
CSV_COLUMNS = ("email", "course", "hours", "completed_on", "certifying_body")


def _sworn_officer(*, agency_id: int, user_id: int | None = None, email: str | None = None) -> User | None:
    query = sa.select(User).where(User.agency_id == agency_id, User.role.in_(SWORN_ROLES))
    query = query.where(User.id == user_id) if user_id is not None else query.where(
        sa.func.lower(User.email) == (email or "").strip().lower())
    return db.session.scalar(query)


def validate(data: dict) -> dict:
    """Per-field messages for a training record's fields (course, hours, completed_on, certifying_body)."""
    errors: dict[str, list[str]] = {}
    course = (data.get("course") or "").strip()
    if not course:
        errors["course"] = ["Name the course (for example: CIT 40-hour basic)."]
    elif len(course) > 200:
        errors["course"] = ["At most 200 characters."]
    hours = data.get("hours")
    try:
        hours = round(float(hours), 2)  # as stored (Numeric(6, 2)): 0.001 would be stored as 0
        if not 0 < hours <= MAX_HOURS:
            raise ValueError
    except (TypeError, ValueError):
        errors["hours"] = [f"Hours must be a number above 0 and at most {MAX_HOURS}."]
    completed = data.get("completed_on")
    if isinstance(completed, str):
        try:
            completed = date.fromisoformat(completed.strip())
        except ValueError:
            completed = None
    if not isinstance(completed, date):
        errors["completed_on"] = ["A date as YYYY-MM-DD."]
    elif completed > date.today():
        errors["completed_on"] = ["The course must be completed already (no future dates)."]
    body = (data.get("certifying_body") or "").strip() or None
    if body and len(body) > 200:
        errors["certifying_body"] = ["At most 200 characters."]
    if errors:
        raise ServiceError("The training record is not valid.", errors)
    return {"course": course, "hours": hours, "completed_on": completed, "certifying_body": body}


def roster(*, actor: User) -> list[dict]:
    """The agency's sworn members (active first, then by name), each with their records (newest
    first), their total hours and whether those reach the 40 CIT hours of the coverage metric."""
    from mhu.services.metrics.training import CIT_HOURS_REQUIRED

    officers = db.session.scalars(sa.select(User).where(
        User.agency_id == actor.agency_id, User.role.in_(SWORN_ROLES)))
    by_officer: dict[int, list[CitTraining]] = {}
    for record in list_training(actor=actor):
        by_officer.setdefault(record.user_id, []).append(record)
    entries = []
    for officer in officers:
        records = by_officer.get(officer.id, [])
        hours = round(sum(record.hours for record in records), 2)
        entries.append({"officer": officer, "records": records, "hours": hours,
                        "trained": hours >= CIT_HOURS_REQUIRED})
    return sorted(entries, key=lambda entry: (not entry["officer"].active,
                                              (entry["officer"].display_name or entry["officer"].email).lower()))


def list_training(*, actor: User, user_id: int | None = None) -> list[CitTraining]:
    """The agency's training records, newest first; optionally one officer's."""
    query = sa.select(CitTraining).where(CitTraining.agency_id == actor.agency_id)
    if user_id is not None:
        query = query.where(CitTraining.user_id == user_id)
    return list(db.session.scalars(query.order_by(CitTraining.completed_on.desc(), CitTraining.id.desc())))


def _duplicate(user_id: int, fields: dict) -> CitTraining | None:
    return db.session.scalar(sa.select(CitTraining).where(
        CitTraining.user_id == user_id, CitTraining.course == fields["course"],
        CitTraining.completed_on == fields["completed_on"]))


def create_training(*, actor: User, user_id: int, data: dict) -> CitTraining:
    """Record a completed course for a sworn officer of the actor's agency (422 with reasons otherwise)."""
    officer = _sworn_officer(agency_id=actor.agency_id, user_id=user_id)
    if officer is None:
        raise ServiceError("The training record is not valid.",
                           {"user_id": ["No officer or supervisor with this id in your agency."]})
    fields = validate(data)
    if _duplicate(officer.id, fields) is not None:
        raise ServiceError("This course is already recorded for this officer on that date.",
                           {"course": ["Already recorded for this officer on that date."]}, status=409)
    record = CitTraining(agency_id=actor.agency_id, user_id=officer.id, created_by_id=actor.id, **fields)
    db.session.add(record)
    db.session.flush()
    audit.record(action="training.create", actor=actor, object_type="cit_training", object_id=record.id)
    db.session.commit()
    return record


def delete_training(*, actor: User, training_id: int) -> bool:
    """Remove a training record of the actor's agency; False when there is none."""
    record = db.session.get(CitTraining, training_id)
    if record is None or record.agency_id != actor.agency_id:
        return False
    db.session.delete(record)
    audit.record(action="training.delete", actor=actor, object_type="cit_training", object_id=training_id)
    db.session.commit()
    return True


def decode_csv(data: bytes) -> str:
    """A roster file's bytes as text: UTF-8 (a byte-order mark is dropped); 422 otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError(f"The file is not UTF-8 text (byte {error.start + 1}); save the roster as CSV UTF-8.") from None
    return text


def import_csv(*, text: str, agency_id: int, actor: User | None = None) -> dict:
    """Import a roster CSV (header: email,course,hours,completed_on[,certifying_body]).

    Each row is one completed course of a sworn member of the agency, found by email. Valid rows
    are added, rows already recorded are skipped, and every rejected row is reported with its line
    number and reason; nothing is written when the header is wrong.
    """
    if "\x00" in text:
        raise ServiceError("The file contains NUL characters; it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise ServiceError(f"The file is not a readable CSV ({error}).") from None
    missing = [name for name in CSV_COLUMNS[:4] if name not in header]
    if missing:
        raise ServiceError(f"The CSV header lacks {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}.")
    reader.fieldnames = header
    try:
        rows = list(enumerate(reader, start=2))  # read whole before writing anything
    except csv.Error as error:
        raise ServiceError(f"The file is not a readable CSV ({error}).") from None
    added, skipped, rejected = 0, 0, []
    for line, row in rows:
        officer = _sworn_officer(agency_id=agency_id, email=row.get("email"))
        if officer is None:
            rejected.append({"line": line, "reason": f"email: no officer or supervisor {row.get('email')!r} in the agency"})
            continue
        try:
            fields = validate(row)
        except ServiceError as error:
            reasons = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
            rejected.append({"line": line, "reason": reasons})
            continue
        if _duplicate(officer.id, fields) is not None:
            skipped += 1
            continue
        db.session.add(CitTraining(agency_id=agency_id, user_id=officer.id,
                                   created_by_id=actor.id if actor else None, **fields))
        db.session.flush()
        added += 1
    audit.record(action="training.import", actor=actor, object_type="cit_training", object_id=f"{added} added")
    db.session.commit()
    return {"added": added, "skipped": skipped, "rejected": rejected}

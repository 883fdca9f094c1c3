"""Referrals, follow-ups with their attempts, and clinical notes."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Call, ClinicalNote, FollowUp, FollowUpAttempt, Referral, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, agency_settings, audit, check_version, in_agency


def followup_window(agency_id: int | None = None, *, connection=None) -> timedelta:
    """How long after a call a follow-up falls due: the agency's setting, else FOLLOWUP_DUE_HOURS (48 h)."""
    return timedelta(hours=agency_settings.followup_hours(agency_id, connection=connection))


def followup_due_at(call: Call, *, agency=None) -> datetime:
    """When a call's follow-up falls due: the window after the call cleared (received, if never cleared).
    `agency`: the call's agency when already loaded (saves a lookup)."""
    if agency is not None:
        window = timedelta(hours=agency_settings.followup_hours_of(agency))
    else:
        window = followup_window(call.agency_id)
    return (call.cleared_at or call.received_at) + window


def _writable_call(call: Call) -> None:
    if call.voided_at is not None:
        raise ServiceError("This call was voided.", status=409)


def list_referrals(*, actor: User, call: Call) -> list[Referral]:
    """Referrals made on a call (audited: they belong to an identified call)."""
    rows = list(db.session.scalars(sa.select(Referral).where(Referral.call_id == call.id).order_by(Referral.created_at)))
    audit.record(action="referral.list", actor=actor, object_type="call", object_id=call.id, commit=True)
    return rows


def create_referral(*, actor: User, call: Call, data: dict) -> Referral:
    """Record a referral to a partner service."""
    _writable_call(call)
    referral = Referral(call_id=call.id, agency_id=call.agency_id, created_by_id=actor.id, **data)
    db.session.add(referral)
    db.session.flush()
    audit.record(action="referral.create", actor=actor, object_type="referral", object_id=referral.id)
    db.session.commit()
    return referral


def get_followup(*, actor: User, followup_id) -> FollowUp | None:
    """The follow-up if it belongs to the actor's agency."""
    return in_agency(FollowUp, followup_id, actor=actor)


def read_followup(*, actor: User, followup_id) -> FollowUp | None:
    """get_followup plus the audit event for reading a record about an identified person."""
    followup = get_followup(actor=actor, followup_id=followup_id)
    if followup is not None:
        audit.record(action="followup.read", actor=actor, object_type="followup", object_id=followup.id, commit=True)
    return followup


def list_call_followups(*, actor: User, call: Call) -> list[FollowUp]:
    """Follow-ups of one call (audited like the call)."""
    rows = list(db.session.scalars(sa.select(FollowUp).where(FollowUp.call_id == call.id).order_by(FollowUp.due_at)))
    audit.record(action="followup.list", actor=actor, object_type="call", object_id=call.id, commit=True)
    return rows


def _check_assignee(*, actor: User, user_id: int | None) -> None:
    """A follow-up goes to a user of the actor's agency; any other id is refused (422)."""
    if user_id is None:
        return
    assignee = db.session.get(User, user_id)
    if assignee is None or assignee.agency_id != actor.agency_id:
        raise ServiceError("Unknown user.", {"assigned_to_id": ["No such user in your agency."]})


def create_followup(*, actor: User, call: Call, data: dict) -> FollowUp:
    """Open a follow-up on a call, due the follow-up window after it cleared unless given."""
    _writable_call(call)
    due_at = data.get("due_at") or followup_due_at(call)
    assigned_to_id = data.get("assigned_to_id")
    _check_assignee(actor=actor, user_id=assigned_to_id)
    followup = FollowUp(
        call_id=call.id, agency_id=call.agency_id, team_id=call.team_id, due_at=due_at,
        assigned_to_id=assigned_to_id, created_by_id=actor.id,
    )
    db.session.add(followup)
    db.session.flush()
    audit.record(action="followup.create", actor=actor, object_type="followup", object_id=followup.id)
    db.session.commit()
    return followup


def worklist_query(*, actor: User, status: str, scope: str) -> sa.Select:
    """The actor's follow-up worklist (mine or my team's; supervisors: the agency), by due time."""
    query = sa.select(FollowUp).join(Call, Call.id == FollowUp.call_id).where(
        FollowUp.agency_id == actor.agency_id, Call.voided_at.is_(None)
    )
    if scope == "mine":
        query = query.where(FollowUp.assigned_to_id == actor.id)
    else:
        teams = policy.team_scope(actor)
        if teams is not None:
            query = query.where(FollowUp.team_id.in_(teams or {-1}))
    now = utcnow()
    if status == "done":
        query = query.where(FollowUp.closed_at.is_not(None))
    elif status == "overdue":
        query = query.where(open_condition(), overdue_condition(now))
    elif status == "due":
        query = query.where(open_condition(), ~overdue_condition(now))
    else:
        query = query.where(open_condition())
    return query.order_by(FollowUp.due_at, FollowUp.id)


def open_condition():
    """A follow-up is open until it is closed (an outcome recorded)."""
    return FollowUp.closed_at.is_(None)


def overdue_condition(now: datetime):
    """An open follow-up is overdue once its due time has passed."""
    return FollowUp.due_at < now


def unattempted_condition():
    """No contact attempt recorded yet (the attempt service counts them on the follow-up)."""
    return FollowUp.attempt_count == 0


QUEUE_VIEWS = ("soon", "overdue", "all")


def _open_worklist(*, actor: User, scope: str) -> sa.Select:
    return worklist_query(actor=actor, status="open", scope=scope).order_by(None)


def queue_summary(*, actor: User, scope: str) -> dict:
    """Open follow-ups counted by when they fall due: overdue, due today and due tomorrow (the
    agency's local days; "today" counts what is still ahead today), and all open."""
    from mhu.services.localtime import agency_today, local_day_bounds

    now = utcnow()
    today = agency_today(actor.agency_id)
    start_today, end_today = local_day_bounds(today, today, actor.agency.timezone)
    _, end_tomorrow = local_day_bounds(today, today + timedelta(days=1), actor.agency.timezone)
    due = FollowUp.due_at
    counts = db.session.execute(
        _open_worklist(actor=actor, scope=scope).with_only_columns(
            sa.func.count(),
            sa.func.count().filter(due < now),
            sa.func.count().filter(due >= now, due < end_today),
            sa.func.count().filter(due >= end_today, due < end_tomorrow),
        )
    ).one()
    return {"open": counts[0], "overdue": counts[1], "due_today": counts[2], "due_tomorrow": counts[3]}


def queue_page(*, actor: User, view: str, scope: str, page: int, per_page: int) -> tuple[list[FollowUp], int]:
    """One page of the clinician's queue and its total.

    "soon": not yet overdue, soonest first (the default: what can still be done in time);
    "overdue": most recently overdue first (the ones still worth a prompt call);
    "all": every open follow-up by due time.
    """
    now = utcnow()
    query = _open_worklist(actor=actor, scope=scope)
    if view == "soon":
        query = query.where(FollowUp.due_at >= now).order_by(FollowUp.due_at, FollowUp.id)
    elif view == "overdue":
        query = query.where(FollowUp.due_at < now).order_by(FollowUp.due_at.desc(), FollowUp.id)
    else:
        query = query.order_by(FollowUp.due_at, FollowUp.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    audit.record(action="followup.list", actor=actor, object_type="followup", object_id=None, commit=True)
    return list(rows), total


def due_text(due_at: datetime, now: datetime | None = None) -> dict:
    """How a follow-up's clock reads: "due in 5 h", "due in 2 days", "overdue by 12 days"."""
    seconds = (due_at - (now or utcnow())).total_seconds()
    overdue = seconds < 0
    hours = abs(seconds) / 3600
    if hours < 36:
        amount = f"{hours:.0f} h"
    else:
        days = round(hours / 24)
        amount = f"{days} day" + ("" if days == 1 else "s")
    return {"overdue": overdue, "hours": seconds / 3600, "text": f"overdue by {amount}" if overdue else f"due in {amount}"}


def list_followups(*, actor: User, status: str, scope: str, page: int, per_page: int) -> tuple[list[FollowUp], int]:
    """One page of the worklist and its total."""
    query = worklist_query(actor=actor, status=status, scope=scope)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    audit.record(action="followup.list", actor=actor, object_type="followup", object_id=None, commit=True)
    return list(rows), total


def update_followup(*, actor: User, followup: FollowUp, data: dict, expected_version: int | None) -> FollowUp:
    """Reschedule, reassign or close a follow-up."""
    check_version(followup, expected_version)
    if "assigned_to_id" in data:
        _check_assignee(actor=actor, user_id=data["assigned_to_id"])
    for name in ("due_at", "assigned_to_id"):
        if name in data:
            setattr(followup, name, data[name])
    if "outcome" in data:
        followup.outcome = data["outcome"]
        followup.closed_at = utcnow() if data["outcome"] else None
    audit.record(action="followup.update", actor=actor, object_type="followup", object_id=followup.id)
    db.session.commit()
    return followup


def record_attempt(*, actor: User, followup: FollowUp, data: dict) -> FollowUpAttempt:
    """Log a contact attempt; an attempt with an outcome closes the follow-up."""
    if followup.closed_at is not None:
        raise ServiceError("This follow-up is closed.", status=409)
    attempt = FollowUpAttempt(followup_id=followup.id, created_by_id=actor.id, **data)
    db.session.add(attempt)
    followup.attempt_count += 1
    if followup.first_attempt_at is None or attempt.attempted_at < followup.first_attempt_at:
        followup.first_attempt_at = attempt.attempted_at
    if attempt.outcome:
        followup.outcome = attempt.outcome
        followup.closed_at = utcnow()
    db.session.flush()
    audit.record(action="followup.attempt", actor=actor, object_type="followup", object_id=followup.id)
    db.session.commit()
    return attempt


def visible_notes_query(*, actor: User, call: Call) -> sa.Select:
    """Notes of a call the actor may read: clinicians only; Part 2 notes within the author's program."""
    query = sa.select(ClinicalNote).where(ClinicalNote.call_id == call.id)
    if not policy.can_read_clinical_notes(actor):
        return query.where(sa.false())
    return query.where(
        sa.or_(ClinicalNote.part2.is_(False), ClinicalNote.program_team_id.in_(actor.team_ids or {-1}))
    ).order_by(ClinicalNote.created_at)


def list_notes(*, actor: User, call: Call) -> list[ClinicalNote]:
    """Readable notes of a call, audited as a read of identified data."""
    notes = list(db.session.scalars(visible_notes_query(actor=actor, call=call)))
    audit.record(action="note.read", actor=actor, object_type="call", object_id=call.id, commit=True)
    return notes


def append_note(*, actor: User, call: Call, data: dict) -> ClinicalNote:
    """Append a note or an addendum; notes are never edited or deleted."""
    _writable_call(call)
    addendum_to = data.get("addendum_to_id")
    if addendum_to is not None:
        original = db.session.get(ClinicalNote, addendum_to)
        readable = original is not None and original.call_id == call.id and (
            not original.part2 or original.program_team_id in actor.team_ids
        )
        if not readable:
            raise ServiceError("Unknown note.", {"addendum_to_id": ["No such note on this call."]})
    # The program is the call's team: the clinicians who serve that call, whichever other teams
    # the author is also on (their first team alphabetically was a stranger to the call).
    note = ClinicalNote(
        call_id=call.id, agency_id=call.agency_id, author_id=actor.id, program_team_id=call.team_id,
        body=data["body"], part2=bool(data.get("part2")), addendum_to_id=addendum_to,
    )
    if note.part2 and call.team_id not in actor.team_ids:
        raise ServiceError("Part 2 notes are kept within the call's team (program).",
                           {"part2": ["You are not on this call's team, so you could not read this note."]})
    db.session.add(note)
    db.session.flush()
    audit.record(action="note.create", actor=actor, object_type="clinical_note", object_id=note.id)
    db.session.commit()
    return note

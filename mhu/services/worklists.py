"""What the field home shows one user: the calls that still need them, their recent calls, and the
calls saved with a typed subject name that no person is linked to yet."""

from datetime import timedelta

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, CallSubjectHint, User
from mhu.services import audit
from mhu.services.localtime import agency_today

MISSING_LABELS = {
    "disposition": "disposition", "dispatched_at": "dispatched time", "arrived_at": "arrival time",
    "cleared_at": "cleared time",
}


def _mine(actor: User) -> sa.Select:
    return sa.select(Call).where(
        Call.agency_id == actor.agency_id, Call.created_by_id == actor.id, Call.voided_at.is_(None)
    )


def needs_completion_condition():
    """A call still needs its author while it lacks a disposition or a time."""
    return sa.or_(
        Call.disposition.is_(None), Call.dispatched_at.is_(None), Call.arrived_at.is_(None),
        Call.cleared_at.is_(None),
    )


def missing_fields(call: Call) -> list[str]:
    """What a call still lacks, in words (the same rule as needs_completion_condition)."""
    return [label for name, label in MISSING_LABELS.items() if getattr(call, name) is None]


def calls_needing_me(*, actor: User, limit: int = 50) -> list[Call]:
    """The actor's own calls that still lack a disposition or a time, newest first."""
    rows = list(db.session.scalars(
        _mine(actor).where(needs_completion_condition()).order_by(Call.received_at.desc(), Call.id).limit(limit)
    ))
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return rows


def my_recent_calls(*, actor: User, limit: int = 50) -> dict:
    """The actor's calls received today and yesterday (agency-local days): {"today": [...], "yesterday": [...]}."""
    today = agency_today(actor.agency_id)
    yesterday = today - timedelta(days=1)
    rows = db.session.scalars(
        _mine(actor).where(Call.local_date >= yesterday).order_by(Call.received_at.desc(), Call.id).limit(limit)
    )
    recent = {"today": [], "yesterday": []}
    for call in rows:
        if call.local_date == today:
            recent["today"].append(call)
        elif call.local_date == yesterday:
            recent["yesterday"].append(call)
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return recent


def calls_needing_subject(*, actor: User, limit: int = 50) -> list[tuple[Call, CallSubjectHint]]:
    """The actor's calls saved with a typed subject name and no linked person, with what was typed."""
    rows = db.session.execute(
        _mine(actor).add_columns(CallSubjectHint)
        .join(CallSubjectHint, CallSubjectHint.call_id == Call.id)
        .where(Call.person_id.is_(None))
        .order_by(Call.received_at.desc()).limit(limit)
    ).all()
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return [(call, hint) for call, hint in rows]


def subject_hint(*, call: Call) -> CallSubjectHint | None:
    """The subject name typed on a call without a linked person, if any."""
    return db.session.get(CallSubjectHint, call.id) if call.person_id is None else None

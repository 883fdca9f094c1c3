"""Stories: a call's short, de-identified summary written for sharing (never the narrative).

Whoever may edit the call drafts it; a supervisor approves it (audited) before any report prints
it, and may withdraw it. The identifying-details check below catches the obvious slips (the
person's name or date of birth, the call's address or CAD number, phone numbers, e-mail and street
addresses); it cannot recognise every way to identify someone, so the supervisor's reading before
approval is the real control.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Call, CallStory, CallSubjectHint, Person, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit

PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
STREET_WORDS = (r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|terrace|"
                r"ter|highway|hwy|parkway|pkwy|circle|cir|square|sq|trail|trl|alley|plaza")
ADDRESS = re.compile(rf"\b\d{{1,6}}\s+(?:[a-z0-9'.-]+\s+){{0,4}}(?:{STREET_WORDS})\b\.?", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def _date_forms(day: date) -> list[str]:
    """How a date of birth may be written: ISO, US and European orders, with or without zeros."""
    forms = {day.isoformat(), day.strftime("%Y/%m/%d")}
    for month, dom in ((f"{day.month:02d}", f"{day.day:02d}"), (str(day.month), str(day.day))):
        for year in (str(day.year), f"{day.year % 100:02d}"):
            for sep in "/-.":
                forms.add(f"{month}{sep}{dom}{sep}{year}")
                forms.add(f"{dom}{sep}{month}{sep}{year}")
    return sorted(forms)


def identifying_details(*, summary: str, call: Call) -> list[str]:
    """Messages for each identifying detail found in a summary (empty when none was found)."""
    text = _normal(summary)
    problems = []
    names, born = [], None
    person = db.session.get(Person, call.person_id) if call.person_id else None
    if person is not None and person.identity is not None:
        identity = person.identity
        names = [identity.first_name, identity.last_name, *(identity.aliases or [])]
        born = identity.date_of_birth
    hint = db.session.get(CallSubjectHint, call.id)
    if hint is not None:
        names.append(hint.typed_name)
        born = born or hint.typed_date_of_birth
    words = {part for name in names for part in re.split(r"[\s,]+", _normal(name)) if len(part) >= 2}
    if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words):
        problems.append("Contains the person's name (or an alias): describe them instead, e.g. \"a man in his 40s\".")
    if born is not None and any(form in text for form in _date_forms(born)):
        problems.append("Contains the person's date of birth: give an age range at most.")
    if PHONE.search(summary):
        problems.append("Contains a phone number.")
    if EMAIL.search(summary):
        problems.append("Contains an e-mail address.")
    address = _normal(call.address or "")
    street = _normal(re.sub(r"^\s*\d+\s*", "", call.address or ""))
    if ADDRESS.search(summary) or (address and address in text) or (len(street) >= 6 and street in text):
        problems.append("Contains a street address (or the call's address): name the district at most.")
    if call.incident_number and _normal(call.incident_number) in text:
        problems.append("Contains the call's incident (CAD) number.")
    return problems


def get_story(*, call: Call) -> CallStory | None:
    """The call's story, if one was written."""
    return db.session.get(CallStory, call.id)


def _check_read(actor: User) -> None:
    if not policy.can_read_calls(actor):
        raise ServiceError("Stories are read by the unit's own staff only.", status=403)


def read_story(*, actor: User, call: Call) -> CallStory | None:
    """The story for a role that may read the call (drafts included)."""
    _check_read(actor)
    return get_story(call=call)


def save_draft(*, actor: User, call: Call, summary: str) -> CallStory:
    """Write or rewrite the story; any change returns an approved story to draft."""
    if not policy.can_draft_story(actor, call):
        raise ServiceError("You may not write the story of this call.", status=403)
    if call.voided_at is not None:
        raise ServiceError("This call was voided.", status=409)
    summary = _SPACE.sub(" ", summary).strip()
    if not summary:
        raise ServiceError("Write a short summary.", {"summary": ["Must not be empty."]})
    problems = identifying_details(summary=summary, call=call)
    if problems:
        raise ServiceError("The summary contains identifying details.", {"summary": problems})
    story = get_story(call=call)
    if story is None:
        story = CallStory(call_id=call.id, agency_id=call.agency_id, summary=summary, written_by_id=actor.id)
        db.session.add(story)
    story.summary = summary
    story.status, story.approved_by_id, story.approved_at = "draft", None, None
    story.written_by_id, story.written_at = actor.id, utcnow()
    db.session.flush()
    audit.record(action="story.draft", actor=actor, object_type="call_story", object_id=call.id)
    db.session.commit()
    return story


def _decide(actor: User, call: Call, status: str) -> CallStory | None:
    if not policy.can_approve_stories(actor):
        raise ServiceError("Only a supervisor approves or withdraws stories.", status=403)
    story = get_story(call=call)
    if story is None:
        return None
    if status == "approved":
        problems = identifying_details(summary=story.summary, call=call)  # the call may have changed
        if problems:
            raise ServiceError("The summary contains identifying details.", {"summary": problems})
        story.approved_by_id, story.approved_at = actor.id, utcnow()
    story.status = status
    audit.record(action=f"story.{'approve' if status == 'approved' else 'withdraw'}", actor=actor,
                 object_type="call_story", object_id=call.id)
    db.session.commit()
    return story


def approve(*, actor: User, call: Call) -> CallStory | None:
    """Mark the story shareable (supervisors; audited). None when the call has no story."""
    return _decide(actor, call, "approved")


def withdraw(*, actor: User, call: Call) -> CallStory | None:
    """Take the story out of reports (supervisors; audited). None when the call has no story."""
    return _decide(actor, call, "withdrawn")


def approved_stories(*, agency_id: int, date_from: date, date_to: date, limit: int = 20) -> list[dict]:
    """Approved stories of the agency's non-voided calls received in the period (local dates),
    oldest first: only the summary and the call's month, never the call's other fields."""
    rows = db.session.execute(
        sa.select(CallStory.summary, Call.local_date)
        .join(Call, Call.id == CallStory.call_id)
        .where(CallStory.agency_id == agency_id, CallStory.status == "approved", Call.voided_at.is_(None),
               Call.local_date >= date_from, Call.local_date <= date_to)
        .order_by(Call.local_date, CallStory.approved_at).limit(limit)
    ).all()
    return [{"summary": summary, "month": f"{day:%B %Y}"} for summary, day in rows]

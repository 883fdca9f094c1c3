"""Persons and their identity records: create, search for likely matches, read with history."""

import uuid
from datetime import date

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, FollowUp, Person, PersonIdentity, PersonMerge, Referral, User
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, check_version, demographics, in_agency
from mhu.services.matching import find_candidates, match_key, normalise_name
from mhu.services.metrics import facts as metric_facts

IDENTITY_FIELDS = ("first_name", "last_name", "aliases", "date_of_birth", "safety_flags", "response_plan")
PERSON_FIELDS = ("gender", "veteran", "housing_status", "age_band", "sex")


def _refresh_search_fields(identity: PersonIdentity) -> None:
    identity.search_name = normalise_name(f"{identity.first_name} {identity.last_name}")
    identity.match_key = match_key(identity.first_name, identity.last_name, identity.date_of_birth)


def create_person(*, actor: User, data: dict) -> Person:
    """Create a person with an identity record in the actor's agency."""
    person = Person(
        agency_id=actor.agency_id, created_by_id=actor.id,
        **{name: data[name] for name in PERSON_FIELDS if name in data},
    )
    identity = PersonIdentity(
        first_name=data["first_name"].strip(), last_name=data["last_name"].strip(),
        aliases=data.get("aliases", []), date_of_birth=data.get("date_of_birth"),
        safety_flags=list(dict.fromkeys(data.get("safety_flags", []))),
        response_plan=data.get("response_plan"),
    )
    _refresh_search_fields(identity)
    person.identity = identity
    if "race_ethnicity" in data:
        demographics.set_race(person, data["race_ethnicity"])
    db.session.add(person)
    db.session.flush()
    audit.record(action="person.create", actor=actor, object_type="person", object_id=person.id)
    db.session.commit()
    return person


def get_person(*, actor: User, person_id) -> Person | None:
    """The person if in the actor's agency, else None."""
    return in_agency(Person, person_id, actor=actor)


def contact_history(*, person_ids, limit: int = 20) -> dict:
    """Recent non-voided calls per person, newest first: {person_id: [Call, ...]}."""
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    ranked = (
        sa.select(
            Call.id,
            sa.func.row_number().over(partition_by=Call.person_id, order_by=Call.received_at.desc()).label("rank"),
        )
        .where(Call.person_id.in_(person_ids), Call.voided_at.is_(None))
        .subquery()
    )
    calls = db.session.scalars(
        sa.select(Call).join(ranked, ranked.c.id == Call.id).where(ranked.c.rank <= limit)
        .order_by(Call.received_at.desc())
    )
    history = {pid: [] for pid in person_ids}
    for call in calls:
        history[call.person_id].append(call)
    return history


def contact_counts(*, person_ids) -> dict:
    """Number of non-voided calls per person."""
    rows = db.session.execute(
        sa.select(Call.person_id, sa.func.count())
        .where(Call.person_id.in_(list(person_ids)), Call.voided_at.is_(None))
        .group_by(Call.person_id)
    )
    return dict(rows.all())


def read_person(*, actor: User, person_id) -> Person | None:
    """get_person plus the audit event for reading identified data."""
    person = get_person(actor=actor, person_id=person_id)
    if person is not None:
        audit.record(action="person.read", actor=actor, object_type="person", object_id=person.id, commit=True)
    return person


def update_person(*, actor: User, person: Person, data: dict, expected_version: int | None) -> Person:
    """Change a person's attributes or identity record."""
    check_version(person, expected_version)
    if person.merged_into_id is not None:
        raise ServiceError("This person was merged into another record.", status=409)
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    for name in IDENTITY_FIELDS:
        if name in data:
            setattr(person.identity, name, data[name])
    if "race_ethnicity" in data:
        demographics.set_race(person, data["race_ethnicity"])
    _refresh_search_fields(person.identity)
    person.updated_at = utcnow()  # marks the person dirty so identity-only edits bump the version
    db.session.flush()
    audit.record(action="person.update", actor=actor, object_type="person", object_id=person.id)
    db.session.commit()
    return person


def search_persons(*, actor: User, name: str | None, date_of_birth: date | None, limit: int = 10) -> list[tuple[Person, float, bool]]:
    """Likely matches ranked best first: (person, score 0-100, exact name+DOB match)."""
    if not name and date_of_birth is None:
        raise ServiceError("Give a name, a date of birth or both.", {"name": ["Name or date_of_birth required."]})
    exact_key = None
    if name and date_of_birth:
        parts = normalise_name(name).split()
        if len(parts) >= 2:
            exact_key = match_key(parts[0], " ".join(parts[1:]), date_of_birth)
    ranked = find_candidates(
        agency_id=actor.agency_id, name=name, date_of_birth=date_of_birth, exact_key=exact_key, limit=limit
    )
    persons = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_([r[0] for r in ranked])))}
    audit.record(action="person.search", actor=actor, object_type="person", object_id=None, commit=True)
    return [(persons[pid], score, exact) for pid, score, exact in ranked]


def exact_match(*, actor: User, name: str, date_of_birth: date | None) -> Person | None:
    """The one person whose normalised name and date of birth equal those given, else None.

    Used to link a subject typed without a search (offline): only an exact name + date-of-birth
    match is safe to link without a human choosing, and only when it is unambiguous.
    """
    parts = normalise_name(name).split()
    if date_of_birth is None or len(parts) < 2:
        return None
    key = match_key(parts[0], " ".join(parts[1:]), date_of_birth)
    matches = list(db.session.scalars(
        sa.select(Person).join(PersonIdentity, PersonIdentity.person_id == Person.id)
        .where(Person.agency_id == actor.agency_id, Person.merged_into_id.is_(None), PersonIdentity.match_key == key)
        .limit(2)
    ))
    return matches[0] if len(matches) == 1 else None


def person_record(*, actor: User, person_id, history_limit: int = 50) -> dict | None:
    """What the person page shows: the person (identity first), their contacts newest first with
    the referrals made on each, and their open follow-ups. Audited as a read of identified data."""
    person = read_person(actor=actor, person_id=person_id)
    if person is None:
        return None
    calls = contact_history(person_ids=[person.id], limit=history_limit)[person.id]
    call_ids = [call.id for call in calls]
    referrals: dict = {call_id: [] for call_id in call_ids}
    if call_ids:
        for referral in db.session.scalars(
            sa.select(Referral).where(Referral.call_id.in_(call_ids)).order_by(Referral.created_at)
        ):
            referrals[referral.call_id].append(referral)
    open_followups = list(db.session.scalars(
        sa.select(FollowUp).join(Call, Call.id == FollowUp.call_id)
        .where(Call.person_id == person.id, Call.voided_at.is_(None), FollowUp.closed_at.is_(None))
        .order_by(FollowUp.due_at)
    ))
    return {
        "person": person, "calls": calls, "referrals": referrals, "open_followups": open_followups,
        "contact_count": contact_counts(person_ids=[person.id]).get(person.id, 0),
        "merged_into_id": person.merged_into_id,
    }


def _lock_persons(people: list[Person]) -> None:
    """Lock the persons' rows for this transaction and reload them as committed.

    Without it, merging A into B and B into A at the same moment both passed the "not merged yet"
    check and both persons vanished. PostgreSQL: `SELECT ... FOR UPDATE` in id order, so two
    merges of the same pair wait for each other instead of deadlocking. SQLite has no row locks:
    a no-op UPDATE takes the database's write lock first, so the re-read sees every merge
    committed before it and none can commit after it until this one ends.
    """
    ids = sorted(person.id for person in people)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update())
    else:
        db.session.execute(
            sa.update(Person).where(Person.id.in_(ids)).values(merged_into_id=Person.merged_into_id)
            .execution_options(synchronize_session=False)
        )
    for person in people:
        db.session.refresh(person)


def merge_persons(*, actor: User, survivor: Person, merged: Person) -> PersonMerge:
    """Fold `merged` into `survivor`: its calls move over, it leaves searches; recorded and reversible."""
    if survivor.id == merged.id:
        raise ServiceError("A person cannot be merged into itself.", {"merge_id": ["Choose another person."]})
    _lock_persons([survivor, merged])
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise ServiceError("One of these persons was already merged into another record.", status=409)
    call_ids = list(db.session.scalars(sa.select(Call.id).where(Call.person_id == merged.id).order_by(Call.id)))
    if call_ids:
        db.session.execute(
            sa.update(Call).where(Call.id.in_(call_ids))
            .values(person_id=survivor.id, version=Call.version + 1, updated_at=utcnow(), updated_by_id=actor.id)
            .execution_options(synchronize_session="fetch")
        )
        metric_facts.refresh_calls(call_ids)  # a Core update: the after-flush refresh does not see it
    merged.merged_into_id = survivor.id
    merge = PersonMerge(
        agency_id=actor.agency_id, survivor_id=survivor.id, merged_id=merged.id,
        moved_call_ids=[str(call_id) for call_id in call_ids], merged_by_id=actor.id,
    )
    db.session.add(merge)
    db.session.flush()
    audit.record(action="person.merge", actor=actor, object_type="person_merge", object_id=merge.id)
    db.session.commit()
    return merge


def get_merge(*, actor: User, merge_id: int) -> PersonMerge | None:
    """A recorded merge of the actor's agency."""
    merge = db.session.get(PersonMerge, merge_id)
    return merge if merge is not None and merge.agency_id == actor.agency_id else None


def undo_merge(*, actor: User, merge: PersonMerge) -> PersonMerge:
    """Reverse a merge: exactly the calls it moved go back, and the person returns to searches."""
    if merge.undone_at is not None:
        raise ServiceError("This merge was already undone.", status=409)
    survivor = db.session.get(Person, merge.survivor_id)
    merged = db.session.get(Person, merge.merged_id)
    if survivor.merged_into_id is not None or merged.merged_into_id != survivor.id:
        raise ServiceError("A later merge involves these persons; undo that one first.", status=409)
    moved = [uuid.UUID(call_id) for call_id in merge.moved_call_ids]
    if moved:
        db.session.execute(
            sa.update(Call).where(Call.id.in_(moved), Call.person_id == survivor.id)
            .values(person_id=merged.id, version=Call.version + 1, updated_at=utcnow(), updated_by_id=actor.id)
            .execution_options(synchronize_session="fetch")
        )
        metric_facts.refresh_calls(moved)
    merged.merged_into_id = None
    merge.undone_at = utcnow()
    merge.undone_by_id = actor.id
    audit.record(action="person.unmerge", actor=actor, object_type="person_merge", object_id=merge.id)
    db.session.commit()
    return merge

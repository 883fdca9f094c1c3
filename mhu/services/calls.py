"""Calls: create, read, list, update and void, scoped to the actor's agency."""

import uuid

import sqlalchemy as sa

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallInjury, CallPresentingProblem, CallRiskFlag, CallSubjectHint, FollowUp, Person,
    Referral, Team, User,
)
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit, check_version, commit_keeping_loaded, in_agency
from mhu.services.care import followup_due_at
from mhu.services.localtime import local_parts

TIME_FIELDS = ("received_at", "dispatched_at", "arrived_at", "cleared_at")
TIME_NAMES = {"received_at": "received", "dispatched_at": "dispatched", "arrived_at": "arrived", "cleared_at": "cleared"}
LIST_FIELDS = ("presenting_problems", "risk_flags", "injuries")
# Write-only inputs of a call that are not columns of it.
EXTRA_FIELDS = ("referrals", "subject_name", "subject_date_of_birth")
# Dispositions that say a referral was made: the call must name at least one.
REFERRAL_DISPOSITIONS = frozenset({"resolved_with_referral", "referred_to_other_agency"})
# Call sources that place a call at another SIM stage than the team's default.
INTERCEPT_BY_SOURCE = {"court_or_jail": 3}


def time_order_errors(values: dict) -> dict:
    """Per-field messages where received <= dispatched <= arrived <= cleared is broken.

    Both times of a broken pair are marked: the user cannot tell from one mark which of the two
    is wrong, and on a tablet the other one may be off screen.
    """
    errors: dict[str, list[str]] = {}
    previous_name, previous = None, None
    for name in TIME_FIELDS:
        current = values.get(name)
        if current is None:
            continue
        if previous is not None and current < previous:
            errors.setdefault(previous_name, []).append(f"Must not be later than {TIME_NAMES[name]} time.")
            errors.setdefault(name, []).append(f"Must not be earlier than {TIME_NAMES[previous_name]} time.")
        previous_name, previous = name, current
    return errors


def handoff_errors(call: Call) -> dict:
    """Per-field messages when the facility hand-off times are out of order."""
    arrived, released = call.arrived_at_facility, call.released_at
    if arrived is not None and released is not None and released < arrived:
        return {"arrived_at_facility": ["Must not be later than the release time."],
                "released_at": ["Must not be earlier than the arrival at the facility."]}
    if released is not None and arrived is None:
        return {"arrived_at_facility": ["Required when a release time is given."]}
    return {}


def check_times(call: Call) -> None:
    """ServiceError (422, every time involved marked) when the call's times are out of order."""
    errors = time_order_errors({name: getattr(call, name) for name in TIME_FIELDS})
    if errors:
        raise ServiceError("Times are out of order.", errors)


def default_intercept(team: Team, call_source: str | None = None) -> int:
    """The SIM intercept a call starts with (the user may change it).

    1 when an officer responds (any team with officers), 0 for clinician-only teams and for
    scheduled follow-ups without an officer-only team, 3 for calls from a court or jail.
    """
    if call_source in INTERCEPT_BY_SOURCE:
        return INTERCEPT_BY_SOURCE[call_source]
    if team.kind == "clinician_only":
        return 0
    if call_source == "scheduled_follow_up" and team.kind != "officer_only":
        return 0
    return 1


def referral_errors(disposition: str | None, referral_count: int) -> dict:
    """A "...with referral" or "referred to other agency" disposition needs at least one referral."""
    if disposition in REFERRAL_DISPOSITIONS and referral_count == 0:
        return {"referrals": ["This disposition needs a referral: add its type (and partner, if known)."]}
    return {}


def _agency_team(actor: User, team_id: int | None) -> Team:
    if team_id is None:
        if not actor.teams:
            raise ServiceError("Choose a team for this call.", {"team_id": ["Required: you are on no team."]})
        return actor.teams[0]
    team = db.session.get(Team, team_id)
    if team is None or team.agency_id != actor.agency_id:
        raise ServiceError("Unknown team.", {"team_id": ["No such team in your agency."]})
    if not policy.can_record_for_team(actor, team):
        raise ServiceError("Not your team.", {"team_id": ["You may record calls for your own teams only."]})
    return team


def _check_person(actor: User, person_id) -> None:
    if person_id is None:
        return
    person = db.session.get(Person, person_id)
    if person is None or person.agency_id != actor.agency_id:
        raise ServiceError("Unknown person.", {"person_id": ["No such person in your agency."]})
    if person.merged_into_id is not None:
        raise ServiceError(
            "This person was merged.",
            {"person_id": [f"Merged into {person.merged_into_id}; use that id."]},
        )


def _apply_lists(call: Call, data: dict) -> None:
    # Sorted as the relationships load them, so the answer is the same whether or not it is reloaded.
    if "presenting_problems" in data:
        call.presenting_problem_rows = [CallPresentingProblem(problem=p) for p in sorted(set(data["presenting_problems"]))]
    if "risk_flags" in data:
        call.risk_flag_rows = [CallRiskFlag(flag=f) for f in sorted(set(data["risk_flags"]))]
    if "injuries" in data:
        call.injury_rows = [CallInjury(party=i["party"], severity=i["severity"]) for i in data["injuries"]]


def _apply_fields(call: Call, data: dict, agency: Agency) -> None:
    for name, value in data.items():
        if name not in LIST_FIELDS and name != "id":
            setattr(call, name, value)
    _apply_lists(call, data)
    if "received_at" in data:
        call.local_date, call.local_hour, call.local_weekday = local_parts(call.received_at, agency.timezone)


def sync_followup(call: Call, actor: User, *, new_call: bool = False) -> None:
    """Open a follow-up for a call that needs one; keep it due the follow-up window after the call cleared.

    For a new call there is nothing to look up, and the call and its follow-up go to the database
    in one flush, so the metric facts of their day are refreshed once."""
    if not call.followup_required or call.voided_at is not None or call.team_id is None:
        return  # a patrol-only call has no team whose clinician would follow up
    due_at = followup_due_at(call, agency=actor.agency if actor.agency_id == call.agency_id else None)
    existing = None if new_call else db.session.scalar(
        sa.select(FollowUp).where(FollowUp.call_id == call.id).order_by(FollowUp.created_at))
    if existing is None:
        db.session.add(FollowUp(
            call_id=call.id, agency_id=call.agency_id, team_id=call.team_id, due_at=due_at,
            created_by_id=actor.id,
        ))
    elif existing.closed_at is None and existing.attempt_count == 0:
        existing.due_at = due_at


def _add_referrals(call: Call, actor: User, referrals: list[dict]) -> None:
    # One flush for all of them (and whatever else is pending, such as a new call and its
    # follow-up), so the metric facts of the call's day are refreshed once.
    rows = [Referral(call_id=call.id, agency_id=call.agency_id, created_by_id=actor.id, **item) for item in referrals]
    if not rows:
        return
    db.session.add_all(rows)
    db.session.flush()
    for referral in rows:
        audit.record(action="referral.create", actor=actor, object_type="referral", object_id=referral.id)


def _referral_count(call: Call) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Referral).where(Referral.call_id == call.id))


def _link_typed_subject(call: Call, actor: User, name: str | None, date_of_birth) -> None:
    """A name typed without picking a person: link the one exact name + date-of-birth match, or
    keep the name with the call so the call lands on its author's "needs a subject" list."""
    name = (name or "").strip()
    if call.person_id is not None or not name:
        return
    from mhu.services.persons import exact_match  # persons imports nothing from here; avoid a cycle at import

    with db.session.no_autoflush:  # the new call goes to the database in one flush, with its person
        person = exact_match(actor=actor, name=name, date_of_birth=date_of_birth)
    if person is not None:
        call.person_id = person.id
        audit.record(action="call.subject_matched", actor=actor, object_type="call", object_id=call.id)
        return
    db.session.add(CallSubjectHint(
        call_id=call.id, agency_id=call.agency_id, typed_name=name[:200],
        typed_date_of_birth=date_of_birth, created_by_id=actor.id,
    ))


def create_call(*, actor: User, data: dict, referral_required: bool = True) -> Call:
    """Record a new call for the actor's agency, with the referrals made on it.

    `referral_required=False` is for records of the past (imports), where a referral disposition
    without a recorded referral is a data-quality finding, not a reason to refuse the row.
    """
    data = dict(data)
    referrals = data.pop("referrals", None) or []
    subject_name, subject_dob = data.pop("subject_name", None), data.pop("subject_date_of_birth", None)
    patrol = data.get("responder_type") == "patrol_only"
    team = None if patrol else _agency_team(actor, data.get("team_id"))
    _check_person(actor, data.get("person_id"))
    call_id = data.get("id") or uuid.uuid4()
    if db.session.get(Call, call_id) is not None:
        raise ServiceError("A call with this id exists.", {"id": ["Already used."]}, status=409)
    team_id = team.id if team is not None else None
    call = Call(id=call_id, agency_id=actor.agency_id, team_id=team_id, created_by_id=actor.id)
    intercept = default_intercept(team, data.get("call_source")) if team is not None else 1
    fields = {"sim_intercept": intercept, **data, "team_id": team_id}
    _apply_fields(call, fields, actor.agency)
    errors = time_order_errors({name: getattr(call, name) for name in TIME_FIELDS})
    errors.update(handoff_errors(call))
    if referral_required:
        errors.update(referral_errors(call.disposition, len(referrals)))
    if errors:
        raise ServiceError("The call was not saved: correct the marked fields.", errors)
    db.session.add(call)
    _link_typed_subject(call, actor, subject_name, subject_dob)
    sync_followup(call, actor, new_call=True)
    _add_referrals(call, actor, referrals)
    audit.record(action="call.create", actor=actor, object_type="call", object_id=call.id)
    commit_keeping_loaded()
    return call


def get_call(*, actor: User, call_id, include_voided: bool = True) -> Call | None:
    """The call if it belongs to the actor's agency, else None (views answer 404)."""
    call = in_agency(Call, call_id, actor=actor)
    if call is None:
        return None
    if call.voided_at is not None and not include_voided:
        return None
    return call


def read_call(*, actor: User, call_id) -> Call | None:
    """get_call plus the audit event for reading an identified record."""
    call = get_call(actor=actor, call_id=call_id)
    if call is not None:
        audit.record(action="call.read", actor=actor, object_type="call", object_id=call.id)
        commit_keeping_loaded()
    return call


def calls_query(*, actor: User, filters: dict) -> sa.Select:
    """The select of the actor's agency's non-voided calls matching the list filters."""
    query = sa.select(Call).where(Call.agency_id == actor.agency_id, Call.voided_at.is_(None))
    if filters.get("date_from"):
        query = query.where(Call.local_date >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(Call.local_date <= filters["date_to"])
    for name in ("team_id", "district", "disposition", "sim_intercept", "call_source", "person_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Call, name) == filters[name])
    if filters.get("open"):
        query = query.where(sa.or_(
            Call.disposition.is_(None), Call.dispatched_at.is_(None), Call.arrived_at.is_(None),
            Call.cleared_at.is_(None),
        ))
    return query


def open_calls(*, actor: User, limit: int = 100) -> list[Call]:
    """The calls of the actor's teams (supervisors: the agency) still missing a disposition or a time."""
    query = calls_query(actor=actor, filters={"open": True})
    teams = policy.team_scope(actor)
    if teams is not None:
        query = query.where(Call.team_id.in_(teams or {-1}))
    rows = list(db.session.scalars(query.order_by(Call.received_at.desc(), Call.id).limit(limit)))
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return rows


def list_calls(*, actor: User, filters: dict, page: int, per_page: int) -> tuple[list[Call], int]:
    """One page of calls, newest first, and the total count."""
    query = calls_query(actor=actor, filters=filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(
        query.order_by(Call.received_at.desc(), Call.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    audit.record(action="call.list", actor=actor, object_type="call", object_id=None, commit=True)
    return list(rows), total


def update_call(*, actor: User, call: Call, data: dict, expected_version: int | None) -> Call:
    """Change fields of a call; the version must match what the client last read."""
    if not policy.can_edit_call(actor, call):
        raise ServiceError("You may not edit this call.", status=403)
    if call.voided_at is not None:
        raise ServiceError("This call was voided and can no longer be changed.", status=409)
    check_version(call, expected_version)
    data = dict(data)
    referrals = data.pop("referrals", None) or []
    for name in ("subject_name", "subject_date_of_birth"):
        data.pop(name, None)
    responder = data.get("responder_type", call.responder_type)
    if responder == "patrol_only":
        # A call the unit did not attend belongs to no team.
        data = {**data, "team_id": None}
    elif "team_id" in data or call.team_id is None:
        data = {**data, "team_id": _agency_team(actor, data.get("team_id")).id}
    if "person_id" in data:
        _check_person(actor, data["person_id"])
    _apply_fields(call, data, actor.agency)
    errors = time_order_errors({name: getattr(call, name) for name in TIME_FIELDS})
    errors.update(handoff_errors(call))
    # Only a disposition chosen now asks for a referral: older calls stay editable as they are.
    if "disposition" in data:
        errors.update(referral_errors(call.disposition, _referral_count(call) + len(referrals)))
    if errors:
        raise ServiceError("Not saved: correct the marked fields.", errors)
    call.updated_by_id = actor.id
    db.session.flush()
    _add_referrals(call, actor, referrals)
    if call.person_id is not None:
        db.session.execute(sa.delete(CallSubjectHint).where(CallSubjectHint.call_id == call.id))
    sync_followup(call, actor)
    audit.record(action="call.update", actor=actor, object_type="call", object_id=call.id)
    db.session.commit()
    return call


def void_call(*, actor: User, call: Call, reason: str, expected_version: int | None = None) -> Call:
    """Void a call with a reason: it leaves lists and metrics but is never deleted."""
    if not policy.can_edit_call(actor, call):
        raise ServiceError("You may not void this call.", status=403)
    if call.voided_at is not None:
        raise ServiceError("This call is already voided.", status=409)
    check_version(call, expected_version)
    call.voided_at = utcnow()
    call.voided_by_id = actor.id
    call.void_reason = reason
    audit.record(action="call.void", actor=actor, object_type="call", object_id=call.id)
    db.session.commit()
    return call

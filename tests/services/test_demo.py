"""The demo data generator: reproducible, internally consistent, and shaped like a real unit."""

import hashlib
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, CallRiskFlag, FollowUp, FollowUpAttempt, Person, PersonIdentity, Referral, Team, User
from mhu.services import ServiceError
from mhu.services.calls import TIME_FIELDS, local_parts
from mhu.services.demo import OPEN_WINDOW_HOURS, generate_demo
from mhu.services.matching import match_key, normalise_name
from tests.factories import at
from tests.support.database import empty_all_tables

PASSWORD = "demo pass phrase for tests"
ANCHOR = at()


def load(calls=300, seed=7, **kwargs):
    return generate_demo(calls=calls, seed=seed, now=ANCHOR, password=PASSWORD, **kwargs)


def digest() -> str:
    """A fingerprint of every generated row that matters, with integer keys replaced by names."""
    team_names = dict(db.session.execute(sa.select(Team.id, Team.name)).all())
    emails = dict(db.session.execute(sa.select(User.id, User.email)).all())
    hasher = hashlib.sha256()
    queries = (
        sa.select(Call).order_by(Call.id),
        sa.select(PersonIdentity).order_by(PersonIdentity.person_id),
        sa.select(Referral).order_by(Referral.id),
        sa.select(FollowUp).order_by(FollowUp.id),
        sa.select(FollowUpAttempt).order_by(FollowUpAttempt.id),
    )
    for query in queries:
        for row in db.session.scalars(query):
            values = {c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs}
            for key in ("team_id", "created_by_id", "voided_by_id", "assigned_to_id", "agency_id"):
                if key in values:
                    values[key] = team_names.get(values[key]) if key == "team_id" else emails.get(values[key])
            if isinstance(row, Call):
                values["lists"] = (row.presenting_problems, row.risk_flags, row.injuries)
            hasher.update(repr(sorted(values.items())).encode())
    return hasher.hexdigest()


def all_calls() -> list[Call]:
    return list(db.session.scalars(sa.select(Call)))


def test_same_seed_gives_identical_data_and_another_seed_does_not():
    load(seed=11)
    first = digest()
    db.session.remove()
    empty_all_tables()

    load(seed=11)
    second = digest()
    db.session.remove()
    empty_all_tables()
    load(seed=12)

    assert first == second
    assert digest() != first


def test_summary_counts_match_the_rows_written():
    summary = load(calls=250)

    assert summary["calls"] == 250 == db.session.scalar(
        sa.select(sa.func.count()).select_from(Call).where(Call.responder_type != "patrol_only"))
    assert summary["patrol_calls"] == 125 == db.session.scalar(
        sa.select(sa.func.count()).select_from(Call).where(Call.responder_type == "patrol_only"))
    assert summary["persons"] == db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    assert summary["followups"] == db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp))
    assert summary["referrals"] == db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
    assert summary["password"] == PASSWORD and summary["password_generated"] is False


def test_one_demo_user_per_role_with_officer_and_clinician_on_a_co_responder_team():
    load(calls=50)

    users = {u.role: u for u in db.session.scalars(sa.select(User))}

    assert sorted(users) == ["admin", "clinician", "officer", "partner", "supervisor"]
    assert all(u.email == f"{role}@example.org" for role, u in users.items())
    assert all(u.password_hash.startswith("$argon2id$") for u in users.values())
    assert all(u.agency.name == "Riverside Police Department" for u in users.values())
    assert users["officer"].agency.timezone == "America/Chicago"
    assert "co_responder" in {t.kind for t in users["officer"].teams}
    assert set(users["officer"].team_ids) & set(users["clinician"].team_ids)
    kinds = Counter(t.kind for t in db.session.scalars(sa.select(Team)))
    assert kinds["co_responder"] >= 3 and kinds["clinician_only"] == 1


def test_generated_password_is_returned_when_none_is_given():
    summary = generate_demo(calls=10, seed=1, now=ANCHOR)

    assert summary["password_generated"] is True
    assert len(summary["password"]) >= 16


def test_loading_twice_is_refused():
    load(calls=20)

    with pytest.raises(ServiceError) as refused:
        load(calls=20)

    assert refused.value.status == 409


def test_every_call_keeps_time_order_and_lies_within_the_period():
    load()

    for call in all_calls():
        times = [getattr(call, name) for name in TIME_FIELDS if getattr(call, name) is not None]
        assert times == sorted(times), call.id
        assert ANCHOR - timedelta(days=731) <= call.received_at <= ANCHOR
        assert all(t <= ANCHOR for t in times)


def test_local_fields_are_those_the_call_service_computes():
    load()

    for call in all_calls():
        assert (call.local_date, call.local_hour, call.local_weekday) == local_parts(call.received_at, "America/Chicago")


def test_identity_search_fields_are_those_the_person_service_computes():
    load()

    identities = list(db.session.scalars(sa.select(PersonIdentity)))
    assert identities
    for identity in identities:
        assert identity.search_name == normalise_name(f"{identity.first_name} {identity.last_name}")
        assert identity.match_key == match_key(identity.first_name, identity.last_name, identity.date_of_birth)


def test_each_call_needing_follow_up_has_exactly_one_due_48_hours_after_it_cleared():
    load()

    followups = defaultdict(list)
    for followup in db.session.scalars(sa.select(FollowUp)):
        followups[followup.call_id].append(followup)
    for call in all_calls():
        assert len(followups.get(call.id, [])) == (1 if call.followup_required else 0)
        if call.followup_required:
            followup = followups[call.id][0]
            assert followup.due_at == (call.cleared_at or call.received_at) + timedelta(hours=48)
            assert followup.team_id == call.team_id


def test_follow_up_bookkeeping_matches_its_attempts_as_the_attempt_service_keeps_it():
    load()

    checked = 0
    for followup in db.session.scalars(sa.select(FollowUp)):
        attempts = followup.attempts
        assert followup.attempt_count == len(attempts)
        assert followup.version == 1 + len(attempts)
        assert followup.first_attempt_at == (min(a.attempted_at for a in attempts) if attempts else None)
        with_outcome = [a for a in attempts if a.outcome]
        assert with_outcome == ([attempts[-1]] if with_outcome else [])  # closed by its last attempt
        assert followup.outcome == (with_outcome[0].outcome if with_outcome else None)
        assert followup.closed_at == (with_outcome[0].attempted_at if with_outcome else None)
        assert all(a.attempted_at <= ANCHOR for a in attempts)
        checked += bool(attempts)
    assert checked > 10


def test_voided_calls_carry_a_reason_and_their_follow_ups_are_not_worked():
    load(calls=1000)

    voided = [c for c in all_calls() if c.voided_at is not None]
    assert voided
    for call in voided:
        assert call.void_reason and call.voided_by_id and call.version == 2
        assert call.voided_at >= call.created_at
    voided_ids = {c.id for c in voided}
    worked = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.call_id.in_(voided_ids), FollowUp.attempt_count > 0)
    ).all()
    assert worked == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral).where(Referral.call_id.in_(voided_ids))) == 0


def test_open_calls_are_recent_and_lack_a_disposition():
    load(calls=1000)

    open_calls = [c for c in all_calls() if c.cleared_at is None]
    assert open_calls
    for call in open_calls:
        assert call.disposition is None
        assert ANCHOR - call.received_at <= timedelta(hours=OPEN_WINDOW_HOURS)


def test_distributions_look_like_a_mid_size_unit():
    load(calls=3000)
    calls = [c for c in all_calls() if c.voided_at is None and c.responder_type != "patrol_only"]
    n = len(calls)
    dispositions = Counter(c.disposition for c in calls)
    share = {name: dispositions[name] / n for name in dispositions}

    assert Counter(c.call_source for c in calls).most_common(1)[0][0] == "911"
    assert 0.025 <= share["arrest"] <= 0.07
    assert 0.008 <= share["citation_or_summons"] <= 0.035
    assert 0.08 <= share["emergency_detention"] <= 0.17
    assert 0.015 <= share["unable_to_locate"] <= 0.05
    assert {c.legal_hold_type for c in calls if c.disposition == "emergency_detention"} <= {"EDO", "APOWW", "5150"}
    assert all(c.legal_hold_type is None for c in calls if c.disposition != "emergency_detention")
    assert sum(c.arrestable_offense == "none" for c in calls) / n > 0.8
    assert all(c.arrestable_offense != "none" for c in calls if c.disposition in ("arrest", "citation_or_summons"))
    assert sum(c.force_level in ("physical_control", "less_lethal", "deadly_force") for c in calls) / n < 0.03
    assert 0.6 <= sum(c.cit_officer_on_scene for c in calls) / n <= 0.9
    assert sum(c.sim_intercept == 1 for c in calls) / n > 0.75
    reclassified = sum(bool(c.initial_call_type and c.final_call_type and c.final_call_type != c.initial_call_type)
                       for c in calls)
    assert 0.06 <= reclassified / n <= 0.2
    with_referral = db.session.scalar(sa.select(sa.func.count(sa.distinct(Referral.call_id))))
    assert 0.3 <= with_referral / n <= 0.5
    hours = Counter(c.local_hour for c in calls)
    assert sum(hours[h] for h in range(14, 20)) > 2 * sum(hours[h] for h in range(2, 8))
    assert any(c.received_at >= ANCHOR - timedelta(days=30) for c in calls)


def test_clinician_only_team_calls_are_intercept_zero_without_officers_or_force():
    load(calls=1000)
    team = db.session.scalar(sa.select(Team).where(Team.kind == "clinician_only"))

    calls = db.session.scalars(sa.select(Call).where(Call.team_id == team.id)).all()

    assert calls
    assert {c.sim_intercept for c in calls} == {0}
    assert not any(c.cit_officer_on_scene for c in calls)
    assert {c.force_level for c in calls} == {"none"}
    assert not {c.disposition for c in calls} & {"arrest", "citation_or_summons", "emergency_detention"}


def test_persons_include_high_utilizers_many_one_time_contacts_and_varied_names():
    load(calls=1000)
    last_year = ANCHOR - timedelta(days=365)

    per_person = Counter(db.session.scalars(sa.select(Call.person_id).where(Call.person_id.is_not(None))))
    recent = Counter(db.session.scalars(
        sa.select(Call.person_id).where(Call.person_id.is_not(None), Call.received_at >= last_year)))
    identities = db.session.scalars(sa.select(PersonIdentity)).all()
    names = [f"{i.first_name} {i.last_name}" for i in identities]

    assert sum(1 for count in recent.values() if count >= 4) >= 3
    assert sum(1 for count in per_person.values() if count == 1) > len(per_person) * 0.35
    assert any("-" in name for name in names)
    assert any(normalise_name(name) != name.lower() and "-" not in name and "'" not in name for name in names)
    assert any(i.aliases for i in identities)
    assert any(i.safety_flags for i in identities)
    assert any(i.date_of_birth is None for i in identities) and any(i.date_of_birth for i in identities)
    veterans = db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(Person.veteran.is_(True)))
    assert veterans > 0
    flagged = db.session.scalar(sa.select(sa.func.count()).select_from(CallRiskFlag).where(CallRiskFlag.flag == "veteran"))
    assert flagged > 0

"""Keeping the precomputed metric facts (models/metric.py) in step with the records.

Every flush that touches a call, referral, injury or follow-up refreshes, in the same transaction,
the facts of those calls and the repeat chains of their persons, and marks every day their calls
and follow-ups fall on (an after_flush hook, so no ORM write path can forget it); the first read
of the day sums after that sums the marked days again (bring_days_up_to_date). Writes that bypass
the ORM call refresh_calls() (person merges) or rebuild() (the demo generator).

The rules themselves are not here: the rate conditions are metrics.CALL_RATES, the durations
metrics.DURATIONS and the follow-up clock metrics_people.followup_on_time. This module only
evaluates them at write time so the dashboard's reads add up counts instead of scanning calls.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mhu.db_setup import transaction_wrote
from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallFact, CallInjury, CallRiskFlag, ClinicalNote, FollowUp, FollowUpFact, MetricDay, MetricDimDay,
    MetricFactsState, MetricStaleDay, MetricTeamDay, MetricTotalDay, Referral,
)
from mhu.models.metric import CONTACT_COUNT_CAP, COUNT_COLUMNS, FILTER_KEYS
from mhu.models.types import UTCDateTime, utcnow
from mhu.services.care import followup_window
from mhu.services.evaluation import rollup as evaluation_rollup
from mhu.services.localtime import agency_timezone, local_date, local_day_bounds
from mhu.services.metrics.breakdowns import DIMENSIONS, dimension_rollup
from mhu.services.metrics.people import COMPLETED_OUTCOMES, followup_on_time, recrisis
from mhu.services.metrics.rates import CALL_RATES, DENOMINATORS, DURATIONS
from mhu.services.metrics.sql import count_if, located, seconds_between, unit_call

# Bump when what the facts hold or how they are computed changes: deployments then rebuild them
# (`flask metrics refresh --if-stale`, run by scripts/run.sh and the deploy steps in docs/deploy-postgresql.md).
# 2: cancelled_before_arrival left out of C' like unable_to_locate; 3: the dimension rollups, the
# states of the follow-ups due each day and the follow-up facts; 4: the day sums per team and the
# contacts' chains per team; 5: patrol-only calls left out; 6: the evaluation day sums and hand-off times; 7: the
# dates of each contact's earlier contacts up to CONTACT_COUNT_CAP.
FACTS_VERSION = 7
SLICE = FILTER_KEYS
# pg_advisory_xact_lock(namespace, agency_id): one fact refresh per agency at a time, so two
# concurrent writes cannot each rebuild a day or a person's chain without seeing the other.
_LOCK_NAMESPACE = 7_401


def refresh_calls(call_ids, *, followup_times=(), days_of_calls=(), left=(), connection=None) -> None:
    """Refresh, in the current transaction, what depends on these calls and follow-up times.

    Covers the calls' facts, the repeat chains of their persons (before and after), and the day
    sums of their days and of the days their follow-ups fall due or close. `followup_times`:
    (agency_id, instant) pairs of follow-up due or closing times that were set or changed.
    `days_of_calls`: calls whose day sums (not facts) changed, through their follow-ups or notes.
    `left`: (agency_id, person_id or None, received_at) of calls before this write changed their
    person or time (the facts know them only for the unit's calls): the day they left, and their
    person's later calls, which may have lost their evaluation repeat flag.
    """
    connection = connection or db.session.connection()
    call_ids = sorted(set(call_ids))
    targets = _Targets()
    for agency_id, instant in followup_times:
        targets.instant(agency_id, instant)
    refreshed = set(call_ids)
    day_only = sorted(set(days_of_calls) - refreshed)
    if call_ids or day_only:
        calls = connection.execute(
            sa.select(Call.id, Call.agency_id, Call.local_date, Call.person_id).where(Call.id.in_(call_ids + day_only))
        ).all()
        for call_id, agency_id, local_date, person_id in calls:
            targets.day(agency_id, local_date, person_id if call_id in refreshed else None)
    _lock(connection, targets.agencies())
    statements = _call_statements(connection.dialect.name, *_configured())
    if call_ids:
        # What the facts said before this write: the days and persons the calls leave.
        for agency_id, local_date, person_id in connection.execute(
            sa.select(CallFact.agency_id, CallFact.local_date, CallFact.contact_person_id)
            .where(CallFact.call_id.in_(call_ids))
        ):
            targets.day(agency_id, local_date, person_id)
        for agency_id, due_at, closed_at in connection.execute(
            sa.select(FollowUp.agency_id, FollowUp.due_at, FollowUp.closed_at).where(FollowUp.call_id.in_(call_ids))
        ):
            targets.instant(agency_id, due_at)
            targets.instant(agency_id, closed_at)
        connection.execute(statements.delete_facts, {"call_ids": call_ids})
        connection.execute(statements.insert_facts, {"call_ids": call_ids})
        if targets.persons:
            connection.execute(statements.update_chains, {"persons": sorted(targets.persons)})
    if call_ids or day_only:
        params = {"call_ids": call_ids + day_only, "persons": sorted(targets.persons)}
        for statement in statements.followup_facts:
            connection.execute(statement, params)
    if call_ids and targets.persons:
        for agency_id, day in connection.execute(
                statements.later_contact_days, {"call_ids": call_ids, "persons": sorted(targets.persons)}):
            targets.day(agency_id, day, None)
    for agency_id, person_id, received_at in sorted(set(left), key=repr):
        targets.instant(agency_id, received_at)
        if person_id is None:
            continue
        moment = sa.literal(received_at, UTCDateTime)
        for agency_id, day in connection.execute(
                _contact_days_between([person_id], moment, moment, _configured()[0])):
            targets.day(agency_id, day, None)
    for agency_id, days in targets.days_by_agency(connection).items():
        _mark_stale(connection, agency_id, days)


def bring_days_up_to_date(agency_id: int) -> None:
    """Sum again the agency's days that writes marked since they were last summed.

    Every reader of the day sums (MetricDay, MetricTeamDay, MetricTotalDay, MetricDimDay) calls
    this first, so it sees every write. A write only marks its days (refresh_calls): summing a day
    costs a create more than the rest of its metric work, and grows with the day's calls, so the
    first read after a burst of writes sums each day once for all of them (bench/README.md, "Load").
    """
    connection = db.session.connection()
    stale = MetricStaleDay.__table__
    if connection.execute(sa.select(1).where(stale.c.agency_id == agency_id).limit(1)).first() is None:
        return
    if transaction_wrote(connection) or not _separate_connections_share_data():
        # This transaction wrote (its own marks may be among them, unseen by any other
        # connection): sum the days in it, and its commit keeps the sums with its writes.
        _sum_stale_days(connection, agency_id)
        return
    # A reading transaction: sum them in a transaction of their own, committed, so the next read
    # finds them summed; this one then reads the committed sums.
    with db.engine.begin() as own:
        _sum_stale_days(own, agency_id)


def _separate_connections_share_data() -> bool:
    return db.engine.url.get_backend_name() != "sqlite" or db.engine.url.database not in (None, "", ":memory:")


def _sum_stale_days(connection, agency_id: int) -> None:
    _lock(connection, [agency_id])
    stale = MetricStaleDay.__table__
    days = set(connection.scalars(sa.select(stale.c.local_date).where(stale.c.agency_id == agency_id)))
    if days:
        _refresh_days(connection, agency_id, days)
        connection.execute(sa.delete(stale).where(stale.c.agency_id == agency_id, stale.c.local_date.in_(sorted(days))))


def _mark_stale(connection, agency_id: int, days) -> None:
    if not days:
        return
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        dialect_insert(MetricStaleDay.__table__).values([{"agency_id": agency_id, "local_date": day} for day in sorted(days)])
        .on_conflict_do_nothing())


def refresh_call_facts(connection, call_ids) -> None:
    """Bulk writers (imports): replace the per-call facts of these calls and the repeat chains of
    their persons, without the day sums; the writer calls refresh_days() once for the days it
    touched."""
    call_ids = sorted(set(call_ids))
    if call_ids:
        refresh_selected_call_facts(connection, sa.select(Call.id).where(Call.id.in_(call_ids)))


def refresh_selected_call_facts(connection, calls: sa.Select) -> None:
    """refresh_call_facts() for the calls a query selects (one column of call ids, e.g. those an
    import batch wrote), set-based: a few statements whatever their number, no id lists."""
    persons = set(connection.scalars(
        sa.select(Call.person_id).where(Call.id.in_(calls), Call.person_id.is_not(None))))
    persons |= set(connection.scalars(
        sa.select(CallFact.contact_person_id).where(CallFact.call_id.in_(calls),
                                                    CallFact.contact_person_id.is_not(None))))
    connection.execute(sa.delete(CallFact.__table__).where(CallFact.call_id.in_(calls)))
    _insert_facts(connection, Call.id.in_(calls))
    persons = sorted(persons)
    window = _configured()[0]
    for start in range(0, len(persons), _PERSONS_PER_STATEMENT):
        _update_chains(connection, CallFact.contact_person_id.in_(persons[start:start + _PERSONS_PER_STATEMENT]))
    _refresh_followup_facts(connection, call_ids=calls, persons=())
    later = defaultdict(set)
    for start in range(0, len(persons), _PERSONS_PER_STATEMENT):
        _refresh_followup_facts(connection, persons=persons[start:start + _PERSONS_PER_STATEMENT])
        for agency_id, day in connection.execute(_later_contact_days(
                Call.id.in_(calls), persons[start:start + _PERSONS_PER_STATEMENT], window)):
            later[agency_id].add(day)
    for agency_id, days in later.items():
        _mark_stale(connection, agency_id, days)  # the writer's refresh_days() clears those it sums


# Persons per chain statement of refresh_selected_call_facts (a chain is per person, so any split
# gives the same facts; SQLite limits the parameters of one statement).
_PERSONS_PER_STATEMENT = 5000


def refresh_days(connection, agency_id: int, days) -> None:
    """Bulk writers: replace one agency's day sums of these local days (one statement for the
    calls, follow-up statements only for days that have follow-ups)."""
    days = set(days)
    if days:
        _lock(connection, [agency_id])
        _refresh_days(connection, agency_id, days)
        stale = MetricStaleDay.__table__
        connection.execute(sa.delete(stale).where(stale.c.agency_id == agency_id, stale.c.local_date.in_(sorted(days))))


def rebuild() -> None:
    """Recompute every agency's facts from the records, in the current transaction."""
    connection = db.session.connection()
    agencies = list(connection.scalars(sa.select(Agency.id)))
    _lock(connection, agencies)
    for agency in agencies:
        connection.execute(sa.delete(CallFact.__table__).where(CallFact.agency_id == agency))
        _insert_facts(connection, Call.agency_id == agency)
        _update_chains(connection, CallFact.agency_id == agency)
        _refresh_followup_facts(connection, agency_id=agency)
        _refresh_days(connection, agency, None)
    connection.execute(sa.delete(MetricStaleDay.__table__))
    _record_state(connection)


def refresh_agency_days(agency_id: int) -> None:
    """Recompute one agency's day sums (after a change of its follow-up window), in the current transaction."""
    connection = db.session.connection()
    _lock(connection, [agency_id])
    _refresh_days(connection, agency_id, None)


def refresh_agency_evaluation(agency_id: int) -> None:
    """Recompute one agency's evaluation day sums (after a change of its eligibility rules, which
    they bake in), in the current transaction."""
    connection = db.session.connection()
    _lock(connection, [agency_id])
    _refresh_evaluation_days(connection, agency_id, None)


def is_stale() -> bool:
    """Whether the facts were built by another FACTS_VERSION or configuration (or never)."""
    state = db.session.get(MetricFactsState, 1)
    return state is None or (state.version, state.repeat_window_days, state.high_utilizer_threshold) != (
        FACTS_VERSION, *_configured())


def _configured() -> tuple[int, int]:
    """The settings the facts bake in: REPEAT_WINDOW_DAYS and HIGH_UTILIZER_THRESHOLD."""
    return current_app.config["REPEAT_WINDOW_DAYS"], current_app.config["HIGH_UTILIZER_THRESHOLD"]


def _record_state(connection) -> None:
    table = MetricFactsState.__table__
    window, threshold = _configured()
    connection.execute(sa.delete(table))
    connection.execute(sa.insert(table).values(
        id=1, version=FACTS_VERSION, repeat_window_days=window, high_utilizer_threshold=threshold, built_at=utcnow()))


class _Targets:
    """The days (per agency) and persons a refresh must recompute."""

    def __init__(self):
        self.days: dict[int, set[date]] = defaultdict(set)
        self.instants: dict[int, set] = defaultdict(set)
        self.persons: set[uuid.UUID] = set()

    def day(self, agency_id: int, local_date: date, person_id) -> None:
        self.days[agency_id].add(local_date)
        if person_id is not None:
            self.persons.add(person_id)

    def instant(self, agency_id: int, moment) -> None:
        if moment is not None:
            self.instants[agency_id].add(moment)

    def agencies(self) -> list[int]:
        return sorted(set(self.days) | set(self.instants))

    def days_by_agency(self, connection) -> dict[int, set[date]]:
        result = {agency: set(days) for agency, days in self.days.items()}
        for agency, instants in self.instants.items():
            zone = agency_timezone(agency, connection=connection)
            result.setdefault(agency, set()).update(local_date(instant, zone) for instant in instants)
        return result


def _lock(connection, agencies) -> None:
    if connection.dialect.name != "postgresql":
        return  # SQLite serialises writers on the database lock already
    for agency in sorted(agencies):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_NAMESPACE, agency)))


def _durations():
    return {name: sa.cast(seconds_between(start, end), sa.Integer) for name, (start, end) in DURATIONS.items()}


class _CallStatements(NamedTuple):
    delete_facts: sa.Delete
    insert_facts: sa.Insert
    update_chains: sa.Update
    followup_facts: tuple
    later_contact_days: sa.Select


@functools.cache
def _call_statements(dialect: str, window: int, threshold: int) -> _CallStatements:
    """The per-call refresh's statements (a create, an edit), built once per process, dialect and
    repeat settings, with the calls and persons as bound parameters: building them anew cost a
    create more CPU than running them (bench/README.md, "Load")."""
    del dialect  # part of the key only: the SQL helpers build per dialect
    call_ids, persons = sa.bindparam("call_ids", expanding=True), sa.bindparam("persons", expanding=True)
    return _CallStatements(
        delete_facts=sa.delete(CallFact.__table__).where(CallFact.call_id.in_(call_ids)),
        insert_facts=_facts_insert(Call.id.in_(call_ids)),
        update_chains=_chains_update(CallFact.contact_person_id.in_(persons), window, threshold),
        followup_facts=_followup_facts_statements(call_ids=call_ids, persons=persons),
        later_contact_days=_later_contact_days(Call.id.in_(call_ids), persons, window),
    )


def _later_contact_days(changed, persons, window: int) -> sa.Select:
    """The days of these persons' calls (any responder) up to the repeat window after the
    earliest changed call: their evaluation repeat flag ("an earlier call in the window") may
    have changed with it. A call moved or voided is found by its person's other calls."""
    since = sa.select(sa.func.min(Call.received_at)).where(changed).scalar_subquery()
    until = sa.select(sa.func.max(Call.received_at)).where(changed).scalar_subquery()
    return _contact_days_between(persons, since, until, window)


def _contact_days_between(persons, since, until, window: int) -> sa.Select:
    """The days of these persons' calls received from `since` to `window` days after `until`."""
    later = seconds_between(until, Call.received_at)
    return (sa.select(Call.agency_id, Call.local_date).distinct()
            .where(Call.person_id.in_(persons), Call.received_at >= since, later <= window * 86400))


def _insert_facts(connection, condition) -> None:
    connection.execute(_facts_insert(condition))


def _facts_insert(condition) -> sa.Insert:
    durations = _durations()
    contact_person = sa.case((sa.and_(located(), Call.person_id.is_not(None)), Call.person_id))
    handed_off = sa.and_(Call.handoff_facility.is_not(None), Call.arrived_at_facility.is_not(None),
                         Call.released_at.is_not(None))
    handoff = (sa.case((handed_off, Call.handoff_facility)),
               sa.case((handed_off, sa.cast(seconds_between(Call.arrived_at_facility, Call.released_at), sa.Integer))))
    query = sa.select(
        Call.id, Call.agency_id, Call.local_date, *(getattr(Call, name) for name in SLICE), Call.received_at,
        contact_person, *durations.values(), *handoff,
    ).where(Call.voided_at.is_(None), unit_call(), condition)
    # Written in day order, most of the facts' indexes (those led by the agency and the day, and
    # the person's, whose day order is its time order) take their new entries in key order instead
    # of all over the index: 88 -> 46 s for an import's million facts on SQLite (bench/README.md).
    query = query.order_by(Call.local_date, Call.received_at)
    columns = ["call_id", "agency_id", "local_date", *SLICE, "received_at", "contact_person_id",
               *(f"{name}_seconds" for name in durations), "handoff_facility", "handoff_seconds"]
    return sa.insert(CallFact.__table__).from_select(columns, query)


# The contacts 2 .. CONTACT_COUNT_CAP back whose dates the chains keep (the first is previous_contact_date).
_EARLIER_CONTACTS = range(2, CONTACT_COUNT_CAP + 1)


def _update_chains(connection, condition) -> None:
    """Each contact's gap to the person's previous contact and the dates behind the repeat and
    high-utilizer counts."""
    connection.execute(_chains_update(condition, *_configured()))


def _chains_update(condition, window: int, threshold: int) -> sa.Update:
    fact = CallFact.__table__.c
    person, order = fact.contact_person_id, (fact.received_at, fact.call_id)

    def earlier(column, offset, *, partition=(person,)):
        return sa.func.lag(column, offset).over(partition_by=partition, order_by=order)

    steps = sa.select(
        fact.call_id, person, fact.team_id, fact.received_at, fact.local_date,
        earlier(fact.received_at, 1).label("previous_at"), earlier(fact.local_date, 1).label("previous_date"),
        earlier(fact.local_date, 1, partition=(person, fact.team_id)).label("team_previous_date"),
        # LAG by 0 is the row itself: with a threshold of 1 every contact is its person's first in a window.
        earlier(fact.local_date, threshold - 1).label("utilizer_first_date"),
        earlier(fact.local_date, threshold).label("utilizer_before_date"),
        *(earlier(fact.local_date, back).label(f"earlier_contact_date_{back}") for back in _EARLIER_CONTACTS),
    ).where(person.is_not(None), condition).subquery("steps")
    gap = sa.cast(seconds_between(steps.c.previous_at, steps.c.received_at), sa.Integer)
    is_repeat = gap <= window * 86400
    def latest_earlier_repeat(*partition):
        return sa.func.max(sa.case((is_repeat, steps.c.local_date))).over(
            partition_by=partition, order_by=(steps.c.received_at, steps.c.call_id), rows=(None, -1))

    chains = sa.select(
        steps.c.call_id, gap.label("gap"), steps.c.previous_date, steps.c.utilizer_first_date,
        steps.c.utilizer_before_date, steps.c.team_previous_date,
        *(steps.c[f"earlier_contact_date_{back}"] for back in _EARLIER_CONTACTS),
        latest_earlier_repeat(steps.c.contact_person_id).label("previous_repeat_date"),
        latest_earlier_repeat(steps.c.contact_person_id, steps.c.team_id).label("team_previous_repeat_date"),
    ).subquery("chains")
    table = CallFact.__table__
    return (
        sa.update(table).where(table.c.call_id == chains.c.call_id)
        .values(gap_seconds=chains.c.gap, previous_contact_date=chains.c.previous_date,
                previous_repeat_date=chains.c.previous_repeat_date,
                team_previous_contact_date=chains.c.team_previous_date,
                team_previous_repeat_date=chains.c.team_previous_repeat_date,
                utilizer_first_date=chains.c.utilizer_first_date, utilizer_before_date=chains.c.utilizer_before_date,
                **{f"earlier_contact_date_{back}": chains.c[f"earlier_contact_date_{back}"] for back in _EARLIER_CONTACTS})
    )


def _refresh_followup_facts(connection, *, call_ids=(), persons=(), agency_id: int | None = None) -> None:
    """Replace the follow-up facts of these calls and of these persons' calls (or of a whole agency):
    a person's new or changed contact can flip the re-crisis flag of their earlier follow-ups."""
    if agency_id is None:
        # call_ids: ids, or a query selecting them (refresh_selected_call_facts)
        call_ids = call_ids if isinstance(call_ids, sa.Select) else sorted(set(call_ids))
    for statement in _followup_facts_statements(call_ids=call_ids, persons=sorted(set(persons)), agency_id=agency_id):
        connection.execute(statement)


def _followup_facts_statements(*, call_ids=(), persons=(), agency_id: int | None = None) -> tuple:
    """The delete and the insert of _refresh_followup_facts (the calls and persons may be bound parameters)."""
    table = FollowUpFact.__table__
    if agency_id is not None:
        stale, scope = table.c.agency_id == agency_id, Call.agency_id == agency_id
    else:
        stale = sa.or_(table.c.call_id.in_(call_ids), table.c.person_id.in_(persons))
        # The follow-ups by id from each index, not an OR across the two tables (a scan of all).
        chosen = sa.select(FollowUp.id).where(FollowUp.call_id.in_(call_ids))
        if isinstance(persons, sa.BindParameter) or persons:
            chosen = sa.union(chosen, sa.select(FollowUp.id).join(Call, Call.id == FollowUp.call_id)
                              .where(Call.person_id.in_(persons)))
        scope = FollowUp.id.in_(chosen)
    query = (
        sa.select(FollowUp.id, FollowUp.call_id, Call.agency_id, FollowUp.closed_at, Call.person_id, recrisis(),
                  *(getattr(Call, name) for name in SLICE))
        .select_from(FollowUp).join(Call, Call.id == FollowUp.call_id)
        .where(scope, Call.voided_at.is_(None), unit_call(), Call.person_id.is_not(None), FollowUp.closed_at.is_not(None),
               FollowUp.outcome.in_(COMPLETED_OUTCOMES))
    )
    return (sa.delete(table).where(stale), sa.insert(table).from_select(
        ["followup_id", "call_id", "agency_id", "closed_at", "person_id", "recrisis", *SLICE], query))


def _refresh_days(connection, agency_id: int, days: set[date] | None) -> None:
    """Replace the day sums of these local days (None: every day) of one agency."""
    params = {"agency_id": agency_id} if days is None else {"agency_id": agency_id, "days": sorted(days)}
    statements = _day_statements(whole=days is None, few_days=days is not None and len(days) <= _FEW_DAYS,
                                 dialect=connection.dialect.name)
    for statement in statements.deletes:
        connection.execute(statement, params)
    connection.execute(statements.call_days, params)
    connection.execute(statements.dimension_days, params)
    # The agency's zone and follow-up window, read once for all the days refreshed.
    zone = agency_timezone(agency_id, connection=connection)
    window = followup_window(agency_id, connection=connection).total_seconds()
    chosen = _followup_days_among(connection, agency_id, days, zone) if days is not None else None
    for day in chosen if chosen is not None else _followup_days(connection, agency_id):
        start, end = local_day_bounds(day, day, zone)
        for statement in _followup_day_statements(connection.dialect.name):
            connection.execute(statement, {"agency_id": agency_id, "day": day, "start": start, "end": end,
                                           "window_seconds": window})
    for statement in statements.rollups:
        connection.execute(statement, params)
    _refresh_evaluation_days(connection, agency_id, days)


def _refresh_evaluation_days(connection, agency_id: int, days) -> None:
    rules = evaluation_rollup.agency_rules(connection, agency_id)
    evaluation_rollup.refresh_days(connection, agency_id, days, rules=rules, repeat_window_days=_configured()[0])


# Up to this many days a refresh is a write's (a call's day, the days a follow-up spans), and its
# follow-up states are best looked up call by call; beyond, such as an import's years of days, by
# grouping the follow-ups of all the calls at once: for an import's million calls the dimension
# rollup took 7.9 s with the lookups and 7.0 s grouped, on PostgreSQL (bench/README.md "Import").
_FEW_DAYS = 31


class _DayStatements(NamedTuple):
    deletes: list
    call_days: sa.Insert
    dimension_days: sa.Insert
    rollups: list


@functools.cache
def _day_statements(*, whole: bool, few_days: bool, dialect: str) -> _DayStatements:
    """The day-sum refresh's statements, built once per process and dialect (some conditions are
    written for one planner: sql.unindexed) with the agency (and the days, unless `whole`) as
    bound parameters: building these expressions anew cost a call create more CPU than running them."""
    slice_table, team_table, total_table = MetricDay.__table__, MetricTeamDay.__table__, MetricTotalDay.__table__
    dimension_table = MetricDimDay.__table__
    deletes = [sa.delete(table).where(*_day_filter(table.c, whole)) for table in (slice_table, team_table, total_table)]
    # Naming every dimension keeps the delete a range of the primary key per (dimension, day).
    deletes.append(sa.delete(dimension_table).where(
        dimension_table.c.dimension.in_(list(DIMENSIONS)), *_day_filter(dimension_table.c, whole)))

    counts = {"calls": sa.func.count(), **{name: count_if(condition()) for name, condition in DENOMINATORS.items()},
              **{name: count_if(numerator()) for name, (numerator, _) in CALL_RATES.items()},
              **{f"with_{name}": count_if(sa.and_(start.is_not(None), end.is_not(None)))
                 for name, (start, end) in DURATIONS.items()}}
    keys = [Call.agency_id, Call.local_date, *(getattr(Call, name) for name in SLICE)]
    calls = (sa.select(*keys, *counts.values())
             .where(Call.voided_at.is_(None), unit_call(), *_day_filter(Call, whole)).group_by(*keys))
    call_days = sa.insert(slice_table).from_select(["agency_id", "local_date", *SLICE, *counts], calls)

    # Every dimension's counts per day and team, in one statement (breakdowns.DIMENSIONS).
    conditions = [Call.voided_at.is_(None), unit_call(), *_day_filter(Call, whole)]
    dimension_keys = (Call.agency_id, Call.local_date, Call.team_id)
    dimension_days = sa.insert(dimension_table).from_select(
        ["agency_id", "local_date", "team_id", "dimension", "key", "calls"],
        dimension_rollup(DIMENSIONS, conditions, *dimension_keys, few_calls=few_days))

    # The per-team and agency totals, summed from the slices once the follow-up sums are in.
    sums = [sa.func.sum(slice_table.c[name]) for name in COUNT_COLUMNS]
    rollups = []
    for table, names in ((team_table, ["agency_id", "local_date", "team_id"]), (total_table, ["agency_id", "local_date"])):
        grouped = [slice_table.c[name] for name in names]
        rollups.append(sa.insert(table).from_select(
            [*names, *COUNT_COLUMNS],
            sa.select(*grouped, *sums).where(*_day_filter(slice_table.c, whole)).group_by(*grouped)))
    return _DayStatements(deletes, call_days, dimension_days, rollups)


def _day_filter(columns, whole: bool) -> list:
    condition = [columns.agency_id == sa.bindparam("agency_id")]
    if not whole:
        condition.append(columns.local_date.in_(sa.bindparam("days", expanding=True)))
    return condition


def _followup_days(connection, agency_id: int) -> list[date]:
    """Every local day from the agency's first follow-up due or closing to its last."""
    bounds = connection.execute(
        sa.select(sa.func.min(FollowUp.due_at), sa.func.max(FollowUp.due_at),
                  sa.func.min(FollowUp.closed_at), sa.func.max(FollowUp.closed_at))
        .where(FollowUp.agency_id == agency_id)
    ).one()
    moments = [moment for moment in bounds if moment is not None]
    if not moments:
        return []
    zone = agency_timezone(agency_id, connection=connection)
    first, last = (local_date(moment, zone) for moment in (min(moments), max(moments)))
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _followup_days_among(connection, agency_id: int, days: set[date], zone: str) -> list[date]:
    """Those of `days` on which a follow-up of the agency falls due or closes: the others have
    no follow-up sums, so a refresh of many days (an import) skips two statements per day."""
    if not days:
        return []
    start, end = local_day_bounds(min(days), max(days), zone)
    found = set()
    for column in (FollowUp.due_at, FollowUp.closed_at):
        moments = connection.scalars(
            sa.select(column).where(FollowUp.agency_id == agency_id, column >= start, column < end))
        found.update(local_date(moment, zone) for moment in moments)
    return sorted(found & days)


@functools.cache
def _followup_day_statements(dialect: str) -> tuple:
    """Per slice of their call: the follow-ups of non-voided calls due on one local day (and those
    first attempted within the follow-up window), and those closed on it (and those completed).
    Built once per process and dialect; the agency, the day and its UTC bounds are bound parameters."""
    del dialect  # part of the key only: the SQL helpers build per dialect
    agency_id, start, end = sa.bindparam("agency_id"), sa.bindparam("start"), sa.bindparam("end")
    on_time = followup_on_time(window_seconds=sa.bindparam("window_seconds"))
    slice_columns = [getattr(Call, name) for name in SLICE]
    counted = {
        FollowUp.due_at: {"followups_due": sa.func.count(), "followups_on_time": count_if(on_time),
                          "followups_due_closed": count_if(FollowUp.closed_at.is_not(None)),
                          "followups_due_attempted": count_if(FollowUp.first_attempt_at.is_not(None))},
        FollowUp.closed_at: {"followups_closed": sa.func.count(),
                             "followups_completed": count_if(FollowUp.outcome.in_(COMPLETED_OUTCOMES))},
    }
    statements = []
    for moment, counts in counted.items():
        query = (
            sa.select(Call.agency_id, sa.bindparam("day", type_=sa.Date), *slice_columns, *counts.values())
            .select_from(FollowUp).join(Call, Call.id == FollowUp.call_id)
            .where(FollowUp.agency_id == agency_id, Call.agency_id == agency_id, Call.voided_at.is_(None), unit_call(),
                   moment >= start, moment < end)
            .group_by(Call.agency_id, *slice_columns)
        )
        statements.append(sa.insert(MetricDay.__table__).from_select(["agency_id", "local_date", *SLICE, *counts], query))
    return tuple(statements)


def init_app(_app: Flask) -> None:
    """Keep the facts current: every flush of the app's session refreshes what it touched."""
    if not db.event.contains(Session, "after_flush", refresh_after_flush):
        db.event.listen(Session, "after_flush", refresh_after_flush)


def refresh_after_flush(session: Session, _context) -> None:
    """Refresh the facts of every call, referral, injury, risk flag, follow-up and clinical note this flush wrote."""
    call_ids, followup_times, days_of_calls, left = set(), set(), set(), set()
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, Call):
            call_ids.add(record.id)
            state = sa.inspect(record)
            person, received = state.attrs.person_id.history, state.attrs.received_at.history
            if person.deleted or received.deleted:
                left.add((record.agency_id, (person.deleted or [record.person_id])[0],
                          (received.deleted or [record.received_at])[0]))
        elif isinstance(record, (Referral, CallInjury, CallRiskFlag)):
            call_ids.add(record.call_id)  # a risk flag can exclude the call from the evaluation's scope
        elif isinstance(record, ClinicalNote):
            days_of_calls.add(record.call_id)  # a late note is a data-quality count of the call's day
        elif isinstance(record, FollowUp):
            days_of_calls.add(record.call_id)  # the call's outcome flow link follows its follow-ups
            state = sa.inspect(record)
            for name in ("due_at", "closed_at"):
                history = state.attrs[name].history
                followup_times.update((record.agency_id, moment)
                                      for moment in (*history.added, *history.unchanged, *history.deleted))
    if call_ids or followup_times or days_of_calls:
        refresh_calls(call_ids, followup_times=followup_times, days_of_calls=days_of_calls,
                      left=[(agency, person, at) for agency, person, at in left if at is not None],
                      connection=session.connection())

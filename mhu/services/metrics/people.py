"""Person- and follow-up-based metrics: repeat contacts, high utilizers, follow-ups, data quality.

A contact is a call in C' (non-voided, not unable_to_locate or cancelled_before_arrival). A person's previous contact is
looked up across the whole agency (any team, district or source): the filters choose which
contacts are counted, not which history counts as previous.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import aliased

from mhu.extensions import db
from mhu.models import Call, CallFact, FollowUp, FollowUpFact, PersonIdentity, User
from mhu.models.metric import CONTACT_COUNT_CAP
from mhu.models.types import utcnow
from mhu.services import audit
from mhu.services.care import followup_window
from mhu.services.metrics.sql import (
    MetricFilters, call_conditions, config, count_if, day_sums, located, narrowed, rate, seconds_between,
    slice_conditions, teams_only, unit_call, utc_bounds,
)

COMPLETED_OUTCOMES = ("reached_engaged", "linked_appointment_kept")
RECRISIS_WINDOW_DAYS = 30


def repeat_metrics(*, filters: MetricFilters) -> dict:
    """repeat_contact_rate and repeat_call_share from the period's contacts in CallFact.

    A contact's gap to the person's previous contact is precomputed (services/metric_facts.py).
    For the whole agency, each person is counted once as their first contact of the period (the
    one whose previous contact falls before it), and as a repeater at their first repeat contact
    of the period: a covering-index count, no DISTINCT; for one team, the same along the chain of
    the person's contacts with that team. When filters pick another part of the agency the
    previous contact may lie outside the filter, so persons are counted with DISTINCT instead.
    """
    is_repeat = CallFact.gap_seconds <= config("REPEAT_WINDOW_DAYS") * 86400
    person = CallFact.contact_person_id
    one_team = teams_only(filters) and filters.team_ids is not None and len(filters.team_ids) == 1
    if narrowed(filters) and not one_team:
        persons = [sa.func.count(sa.distinct(sa.case((is_repeat, person)))), sa.func.count(sa.distinct(person))]
    else:
        # One team: the same count along the person's chain of contacts with that team.
        previous_contact, previous_repeat = (
            (CallFact.team_previous_contact_date, CallFact.team_previous_repeat_date) if one_team
            else (CallFact.previous_contact_date, CallFact.previous_repeat_date))
        start = filters.date_from
        first_repeat = sa.and_(is_repeat, sa.or_(previous_repeat.is_(None), previous_repeat < start))
        first = sa.or_(previous_contact.is_(None), previous_contact < start)
        persons = [count_if(first_repeat), count_if(first)]
    row = db.session.execute(
        sa.select(*persons, count_if(is_repeat), sa.func.count())
        .where(*slice_conditions(filters, CallFact), person.is_not(None))
    ).one()
    return {"repeat_contact_rate": rate(row[0], row[1]), "repeat_call_share": rate(row[2], row[3])}


def repeat_contact_rate(*, filters: MetricFilters) -> dict:
    """Persons contacted in the period within the repeat window after another contact of theirs / persons contacted."""
    return repeat_metrics(filters=filters)["repeat_contact_rate"]


def repeat_call_share(*, filters: MetricFilters) -> dict:
    """C' with a person whose previous contact was within the repeat window before / C' with a person."""
    return repeat_metrics(filters=filters)["repeat_call_share"]


def contacts_per_person(*, filters: MetricFilters, cap: int = CONTACT_COUNT_CAP) -> list[dict]:
    """How many persons had 1, 2, ... cap-or-more contacts in the period."""
    if not narrowed(filters) and cap == CONTACT_COUNT_CAP:
        return _contacts_per_person_from_chains(filters, cap)
    # The contacts' facts (CallFact.contact_person_id: located calls with a person), read from
    # the covering ix_call_fact_contacts rather than the call table.
    per_person = (
        sa.select(CallFact.contact_person_id, sa.func.count().label("contacts"))
        .where(*slice_conditions(filters, CallFact), CallFact.contact_person_id.is_not(None))
        .group_by(CallFact.contact_person_id).subquery()
    )
    capped = sa.case((per_person.c.contacts >= cap, cap), else_=per_person.c.contacts).label("contacts")
    rows = db.session.execute(sa.select(capped, sa.func.count()).group_by(capped).order_by(capped)).all()
    return [{"contacts": int(contacts), "persons": int(persons), "or_more": int(contacts) == cap}
            for contacts, persons in rows]


def _contacts_per_person_from_chains(filters: MetricFilters, cap: int) -> list[dict]:
    """contacts_per_person for the whole agency without grouping by person: a person has at least
    k contacts in the period exactly when one of their contacts in it has its (k-1)-th earlier
    contact in the period and its k-th before it (or none), so one pass over the period's contacts
    (ix_call_fact_contact_counts) counts the persons with at least 1, 2, ... cap."""
    back = [None, CallFact.previous_contact_date,
            *(getattr(CallFact, f"earlier_contact_date_{k}") for k in range(2, cap + 1))]

    def in_period(k):  # the contact k back is in the period (the contact itself, k = 0, always is)
        return sa.true() if k == 0 else back[k] >= filters.date_from

    def before_period(k):
        return sa.or_(back[k].is_(None), back[k] < filters.date_from)

    at_least = [int(v or 0) for v in db.session.execute(
        sa.select(*(count_if(sa.and_(in_period(k - 1), before_period(k))) for k in range(1, cap + 1)))
        .where(*slice_conditions(filters, CallFact), CallFact.contact_person_id.is_not(None))).one()]
    exactly = [at_least[k] - (at_least[k + 1] if k + 1 < cap else 0) for k in range(cap)]
    return [{"contacts": k + 1, "persons": persons, "or_more": k + 1 == cap}
            for k, persons in enumerate(exactly) if persons]


def utilizer_counts(filters: MetricFilters):
    """Contacts per person in the 12 months ending on the period's last day, at or over the threshold."""
    year = _utilizer_year(filters)
    person = CallFact.contact_person_id
    contacts = [*slice_conditions(year, CallFact), person.is_not(None)]
    if not narrowed(filters):
        # The persons themselves are found without grouping (their K-th contact of the window, as
        # high_utilizers counts them); then only their contacts are read, person by person along
        # ix_call_fact_person: the window's local days as UTC instants (a person is one agency's).
        start, end = utc_bounds(year)
        contacts = [person.in_(sa.select(person).where(*contacts, *_kth_contact_in(year))),
                    CallFact.received_at >= start, CallFact.received_at < end]
    return (
        sa.select(person.label("person_id"), sa.func.count().label("contacts"),
                  sa.func.max(CallFact.received_at).label("last_at"))
        .where(*contacts).group_by(person).having(sa.func.count() >= config("HIGH_UTILIZER_THRESHOLD"))
    )


def _kth_contact_in(year: MetricFilters) -> list:
    """The contact that is its person's HIGH_UTILIZER_THRESHOLD-th within the window."""
    return [CallFact.utilizer_first_date >= year.date_from,
            sa.or_(CallFact.utilizer_before_date.is_(None), CallFact.utilizer_before_date < year.date_from)]


def high_utilizers(*, filters: MetricFilters) -> int:
    """Persons with >= HIGH_UTILIZER_THRESHOLD contacts in the 12 months before the period end.

    For the whole agency, each such person is counted once, at their K-th contact of the window
    (precomputed dates of the contacts K-1 and K before each one; services/metric_facts.py). When
    filters pick part of the agency, contacts are grouped per person instead.
    """
    year = _utilizer_year(filters)
    if narrowed(filters):
        per_person = (
            sa.select(CallFact.contact_person_id).where(*slice_conditions(year, CallFact),
                                                         CallFact.contact_person_id.is_not(None))
            .group_by(CallFact.contact_person_id).having(sa.func.count() >= config("HIGH_UTILIZER_THRESHOLD"))
        )
        return db.session.scalar(sa.select(sa.func.count()).select_from(per_person.subquery()))
    return db.session.scalar(sa.select(sa.func.count()).where(
        *slice_conditions(year, CallFact), CallFact.contact_person_id.is_not(None), *_kth_contact_in(year)))


def _utilizer_year(filters: MetricFilters) -> MetricFilters:
    """The filters over the 12 months ending on the period's last day."""
    return filters.with_dates(filters.date_to - relativedelta(years=1) + timedelta(days=1), filters.date_to)


def high_utilizer_list(*, actor: User, filters: MetricFilters, limit: int = 100) -> list[dict]:
    """The high utilizers, identified, most contacts first; callers check can_identify_persons."""
    counts = utilizer_counts(filters).subquery()
    rows = db.session.execute(
        sa.select(counts.c.person_id, counts.c.contacts, counts.c.last_at, PersonIdentity.first_name,
                  PersonIdentity.last_name)
        .outerjoin(PersonIdentity, PersonIdentity.person_id == counts.c.person_id)
        .order_by(counts.c.contacts.desc(), counts.c.last_at.desc()).limit(limit)
    ).all()
    audit.record(action="metrics.high_utilizers.read", actor=actor, object_type="person", commit=True)
    return [
        {"person_id": row.person_id, "name": " ".join(p for p in (row.first_name, row.last_name) if p) or None,
         "contacts": int(row.contacts), "last_contact_at": _aware(row.last_at)}
        for row in rows
    ]


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        from datetime import timezone

        return value.replace(tzinfo=timezone.utc)
    return value


def _followups(filters: MetricFilters, column, *conditions):
    """Follow-ups of C calls (any date) whose `column` falls in the period's local dates."""
    start, end = utc_bounds(filters)
    return (
        sa.select().select_from(FollowUp).join(Call, Call.id == FollowUp.call_id)
        .where(FollowUp.agency_id == filters.agency_id, *call_conditions(filters, dates=False),
               column >= start, column < end, *conditions)
    )


def followup_on_time(agency_id: int | None = None, *, connection=None, window_seconds=None):
    """A follow-up first attempted within the agency's follow-up window (care.followup_due_at) of its call clearing.

    `window_seconds`: the window itself (e.g. a bound parameter), instead of the agency's setting."""
    cleared = sa.func.coalesce(Call.cleared_at, Call.received_at)
    if window_seconds is None:
        window_seconds = followup_window(agency_id, connection=connection).total_seconds()
    return sa.and_(FollowUp.first_attempt_at.is_not(None),
                   seconds_between(cleared, FollowUp.first_attempt_at) <= window_seconds)


def followup_timeliness(*, filters: MetricFilters) -> dict:
    """Follow-ups due in the period whose first attempt came within the follow-up window of the call clearing / those due.

    Counted per local due day when follow-ups are written (services/metric_facts.py, followup_on_time).
    """
    row = day_sums(filters, ["followups_on_time", "followups_due"])[0]
    return rate(row.followups_on_time, row.followups_due)


def followup_completion(*, filters: MetricFilters) -> dict:
    """Follow-ups closed in the period with outcome reached_engaged or linked_appointment_kept / closed.

    Counted per local closing day when follow-ups are written (services/metric_facts.py).
    """
    row = day_sums(filters, ["followups_completed", "followups_closed"])[0]
    return rate(row.followups_completed, row.followups_closed)


# Built once: an alias builds a proxy of every call column on first use, which cost more than the
# rest of a create's metric refresh together (bench/README.md, "Load").
_LATER_CALL = aliased(Call, name="later_call")


def recrisis(followup=FollowUp, call=Call):
    """The follow-up's person had a new contact within RECRISIS_WINDOW_DAYS after it closed (evaluated
    when follow-ups and the person's calls are written: metrics/facts.py, models.FollowUpFact)."""
    later = _LATER_CALL
    return sa.exists(
        sa.select(1).where(
            later.person_id == call.person_id, later.voided_at.is_(None), unit_call(later), located(later),
            later.received_at > followup.closed_at,
            seconds_between(followup.closed_at, later.received_at) <= RECRISIS_WINDOW_DAYS * 86400,
        )
    )


def recrisis_after_followup(*, filters: MetricFilters) -> dict:
    """Persons with a new contact within 30 days after a follow-up completed in the period / those persons."""
    start, end = utc_bounds(filters)
    row = db.session.execute(
        sa.select(sa.func.count(sa.distinct(sa.case((FollowUpFact.recrisis, FollowUpFact.person_id)))),
                  sa.func.count(sa.distinct(FollowUpFact.person_id)))
        .where(*slice_conditions(filters, FollowUpFact, dates=False), FollowUpFact.closed_at >= start,
               FollowUpFact.closed_at < end)
    ).one()
    return rate(row[0], row[1])


def followup_status(*, filters: MetricFilters, now: datetime | None = None) -> dict:
    """Open follow-ups due (not yet late) and overdue now, and follow-ups due in the period by state."""
    now = now or utcnow()
    open_now = db.session.execute(
        sa.select(count_if(FollowUp.due_at >= now), count_if(FollowUp.due_at < now))
        .select_from(FollowUp).join(Call, Call.id == FollowUp.call_id)
        .where(FollowUp.agency_id == filters.agency_id, *call_conditions(filters, dates=False),
               FollowUp.closed_at.is_(None))
    ).one()
    in_period = day_sums(filters, ["followups_due", "followups_due_closed", "followups_due_attempted"])[0]
    return {
        "open_due": int(open_now[0]), "open_overdue": int(open_now[1]), "due_in_period": int(in_period.followups_due),
        "closed": int(in_period.followups_due_closed), "attempted": int(in_period.followups_due_attempted),
    }

"""Precomputed metric facts: derived from calls, referrals and follow-ups, never edited by hand.

`services/metric_facts.py` keeps these tables in step with the records in the same transaction as
every write, and rebuilds them in bulk (`flask metrics refresh`). They exist so the dashboard's
Overview reads a few hundred thousand narrow rows at a million calls instead of running window
functions and per-call subqueries over the whole call table (bench/README.md has the numbers).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mhu.models.types import UTCDateTime, db


# The last bar of the contacts-per-person histogram: that many contacts or more.
CONTACT_COUNT_CAP = 6

# The call columns the dashboard filters narrow (besides agency and date).
FILTER_KEYS = ("team_id", "district", "call_source", "sim_intercept")

# The indexes only contacts' facts are read by (every such query says contact_person_id IS NOT
# NULL): a call without a person, such as most of an imported CAD history, gets no entry in them
# (5 s of a million-row import's facts; migration 0022).
CONTACTS_ONLY = {"sqlite_where": sa.text("contact_person_id IS NOT NULL"),
                 "postgresql_where": sa.text("contact_person_id IS NOT NULL")}


class SliceKeys:
    """The call's agency, local date and filter columns, copied so reads need no join."""

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    local_date: Mapped[date] = mapped_column(sa.Date)
    team_id: Mapped[int] = mapped_column()
    district: Mapped[str | None] = mapped_column(sa.String(40))
    call_source: Mapped[str] = mapped_column(sa.String(40))
    sim_intercept: Mapped[int] = mapped_column(sa.SmallInteger)


class CallFact(SliceKeys, db.Model):
    """One row per non-voided call: its filter keys and what the person-based metrics need."""

    __tablename__ = "call_fact"
    __table_args__ = (
        # The repeat-contact counts of the whole agency read only this index (covering).
        # With the filter columns, filtered views read only the index too.
        sa.Index("ix_call_fact_contacts", "agency_id", "local_date", "previous_contact_date",
                 "previous_repeat_date", "gap_seconds", "contact_person_id", *FILTER_KEYS, **CONTACTS_ONLY),
        sa.Index("ix_call_fact_utilizers", "agency_id", "local_date", "utilizer_first_date", "utilizer_before_date",
                 **CONTACTS_ONLY),
        # Percentiles walk these indexes in order instead of sorting the period's durations.
        sa.Index("ix_call_fact_response", "agency_id", "response_seconds", "local_date", *FILTER_KEYS),
        sa.Index("ix_call_fact_response_from_received", "agency_id", "response_from_received_seconds", "local_date",
                 *FILTER_KEYS),
        sa.Index("ix_call_fact_on_scene", "agency_id", "on_scene_seconds", "local_date", *FILTER_KEYS),
        sa.Index("ix_call_fact_person", "contact_person_id", "received_at", **CONTACTS_ONLY),
        # Persons by contacts in the period, for the whole agency, read only this index (covering).
        sa.Index("ix_call_fact_contact_counts", "agency_id", "local_date", "contact_person_id", "previous_contact_date",
                 *(f"earlier_contact_date_{back}" for back in range(2, CONTACT_COUNT_CAP + 1)), **CONTACTS_ONLY),
        # Hand-off counts and percentiles walk the handed-off calls' times in order, per facility
        # and overall (metrics.sql.ranked_percentiles); partial: one call in eight is handed off.
        sa.Index("ix_call_fact_handoff", "agency_id", "handoff_facility", "handoff_seconds", "local_date",
                 sqlite_where=sa.text("handoff_seconds IS NOT NULL"),
                 postgresql_where=sa.text("handoff_seconds IS NOT NULL")),
        sa.Index("ix_call_fact_handoff_overall", "agency_id", "handoff_seconds", "local_date",
                 sqlite_where=sa.text("handoff_seconds IS NOT NULL"),
                 postgresql_where=sa.text("handoff_seconds IS NOT NULL")),
        # The same counts for one team read this one (the team's chain instead of the agency's).
        sa.Index("ix_call_fact_team_contacts", "agency_id", "team_id", "local_date", "team_previous_contact_date",
                 "team_previous_repeat_date", "gap_seconds", "contact_person_id", **CONTACTS_ONLY),
    )

    # A fact is derived from its call by facts.py, which selects the call in the same statement,
    # and calls are voided, never deleted: no foreign key to check for each of an import's million
    # facts (4 s; migration 0024), nor on the agency (3 s; migration 0021).
    call_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    agency_id: Mapped[int] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The call's person when the call is a contact (located, with a person); NULL otherwise.
    contact_person_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    response_seconds: Mapped[int | None] = mapped_column()  # arrived - dispatched
    response_from_received_seconds: Mapped[int | None] = mapped_column()  # arrived - received
    on_scene_seconds: Mapped[int | None] = mapped_column()  # cleared - arrived
    # Calls handed off with both times: the facility and released - arrived at the facility.
    handoff_facility: Mapped[str | None] = mapped_column(sa.String(120))
    handoff_seconds: Mapped[int | None] = mapped_column()
    # For contacts: seconds since the person's previous contact (any team, district or source),
    # the local date of that contact, and the local date of the person's latest earlier contact
    # that was itself a repeat (gap within REPEAT_WINDOW_DAYS). The last two let "persons with a
    # contact in the period" be counted as contacts whose previous one falls before the period.
    gap_seconds: Mapped[int | None] = mapped_column()
    previous_contact_date: Mapped[date | None] = mapped_column(sa.Date)
    previous_repeat_date: Mapped[date | None] = mapped_column(sa.Date)
    # The local dates of the person's contacts 2, 3, ... CONTACT_COUNT_CAP before this one: a
    # person has at least k contacts in a period exactly when one contact in it has its (k-1)-th
    # earlier contact in the period and its k-th before it (people.contacts_per_person).
    earlier_contact_date_2: Mapped[date | None] = mapped_column(sa.Date)
    earlier_contact_date_3: Mapped[date | None] = mapped_column(sa.Date)
    earlier_contact_date_4: Mapped[date | None] = mapped_column(sa.Date)
    earlier_contact_date_5: Mapped[date | None] = mapped_column(sa.Date)
    earlier_contact_date_6: Mapped[date | None] = mapped_column(sa.Date)
    # The same two dates among the person's contacts by the same team: a one-team view counts each
    # person once, at their first contact with that team in the period, without DISTINCT.
    team_previous_contact_date: Mapped[date | None] = mapped_column(sa.Date)
    team_previous_repeat_date: Mapped[date | None] = mapped_column(sa.Date)
    # With K = HIGH_UTILIZER_THRESHOLD: the local dates of the person's contacts K-1 and K before
    # this one. A person has K contacts in a window exactly when one contact in it has the first
    # date in the window and the second before it (that contact is their K-th in the window).
    utilizer_first_date: Mapped[date | None] = mapped_column(sa.Date)
    utilizer_before_date: Mapped[date | None] = mapped_column(sa.Date)


class MetricCounts:
    """The additive counts of a day: denominators, one numerator per call-based rate
    (named after metrics.CALL_RATES), and the follow-ups due that day."""

    calls: Mapped[int] = mapped_column(server_default="0")
    located: Mapped[int] = mapped_column(server_default="0")
    arrestable: Mapped[int] = mapped_column(server_default="0")
    typed: Mapped[int] = mapped_column(server_default="0")
    arrest_rate: Mapped[int] = mapped_column(server_default="0")
    jail_diversion_rate: Mapped[int] = mapped_column(server_default="0")
    diversion_from_arrest: Mapped[int] = mapped_column(server_default="0")
    resolved_in_community: Mapped[int] = mapped_column(server_default="0")
    ed_use: Mapped[int] = mapped_column(server_default="0")
    emergency_detention_rate: Mapped[int] = mapped_column(server_default="0")
    connection_to_services: Mapped[int] = mapped_column(server_default="0")
    use_of_force_rate: Mapped[int] = mapped_column(server_default="0")
    injury_rate: Mapped[int] = mapped_column(server_default="0")
    cit_presence: Mapped[int] = mapped_column(server_default="0")
    call_type_reclassified: Mapped[int] = mapped_column(server_default="0")
    # Follow-ups of non-voided calls due on this local day, and those first attempted in time.
    followups_due: Mapped[int] = mapped_column(server_default="0")
    followups_on_time: Mapped[int] = mapped_column(server_default="0")
    # Follow-ups of non-voided calls closed on this local day, and those completed.
    followups_closed: Mapped[int] = mapped_column(server_default="0")
    followups_completed: Mapped[int] = mapped_column(server_default="0")
    # Of the follow-ups due on this day: those closed and those attempted (by now).
    followups_due_closed: Mapped[int] = mapped_column(server_default="0")
    followups_due_attempted: Mapped[int] = mapped_column(server_default="0")
    # Calls with each duration (CallFact's *_seconds not NULL): the n of the percentile walks.
    with_response: Mapped[int] = mapped_column(server_default="0")
    with_response_from_received: Mapped[int] = mapped_column(server_default="0")
    with_on_scene: Mapped[int] = mapped_column(server_default="0")


COUNT_COLUMNS = tuple(name for name in MetricCounts.__annotations__)


class MetricDay(SliceKeys, MetricCounts, db.Model):
    """Partial sums per agency, local day and filter slice; readers add the rows up.

    A day's rows are replaced together, so a slice may have one row for its calls and another for
    the follow-ups due that day.
    """

    __tablename__ = "metric_day"
    __table_args__ = (sa.Index("ix_metric_day_agency_date", "agency_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)


class MetricStaleDay(db.Model):
    """A local day whose day sums (MetricDay, MetricTeamDay, MetricTotalDay, MetricDimDay) a write
    changed and no read has summed again yet: a call's write marks its days, the next read of
    those tables sums them (services/metrics/facts.py, bring_days_up_to_date)."""

    __tablename__ = "metric_stale_day"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class MetricTotalDay(MetricCounts, db.Model):
    """MetricDay added up over every slice of a day: what a view without filters reads."""

    __tablename__ = "metric_total_day"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class MetricTeamDay(MetricCounts, db.Model):
    """MetricDay added up per team of a day: what a view narrowed to teams only reads (a team's
    day has one row here against dozens of district, source and intercept slices in MetricDay)."""

    __tablename__ = "metric_team_day"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True)
    local_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class MetricDimDay(db.Model):
    """Counts of the day's calls per team and value of a dimension (disposition, hour x weekday,
    duration bin, outcome flow link, data-quality check...; metrics/breakdowns.DIMENSIONS).

    Keyed by team only, not by every filter column: a day has a handful of teams but hundreds of
    (team, district, source, intercept) slices, so per-slice rows would be as many as the calls.
    Views narrowed by district, source or intercept read the calls instead.
    """

    __tablename__ = "metric_dim_day"
    __table_args__ = (
        # A read ranges over one dimension's dates of an agency: a range of the primary key. On
        # SQLite the table is that key (WITHOUT ROWID), so the read touches nothing else.
        sa.PrimaryKeyConstraint("agency_id", "dimension", "local_date", "team_id", "key"),
        {"sqlite_with_rowid": False},
    )

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    dimension: Mapped[str] = mapped_column(sa.String(40))
    local_date: Mapped[date] = mapped_column(sa.Date)
    team_id: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(sa.String(120))
    calls: Mapped[int] = mapped_column()


class FollowUpFact(db.Model):
    """One row per completed follow-up of a non-voided call with a person: its call's filter keys,
    the person and whether they had a new contact within the re-crisis window after it closed.

    The flag depends on the person's later calls, so it is refreshed with the person's repeat chain.
    """

    __tablename__ = "followup_fact"
    __table_args__ = (
        # The re-crisis rate reads persons and flags of the follow-ups closed in a period from this index only.
        sa.Index("ix_followup_fact_closed", "agency_id", "closed_at", "person_id", "recrisis", *FILTER_KEYS),
        sa.Index("ix_followup_fact_person", "person_id"),
    )

    followup_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("followup.id", ondelete="CASCADE"), primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("call.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    recrisis: Mapped[bool] = mapped_column()
    team_id: Mapped[int] = mapped_column()
    district: Mapped[str | None] = mapped_column(sa.String(40))
    call_source: Mapped[str] = mapped_column(sa.String(40))
    sim_intercept: Mapped[int] = mapped_column(sa.SmallInteger)


# What the evaluation day sums count per group of calls (services/evaluation/rollup.MEASURES
# defines each as a condition on one call).
EVALUATION_MEASURES = (
    "calls", "located", "arrestable", "with_person", "arrest_rate", "use_of_force_rate", "injury_rate", "ed_use",
    "repeat_call_share", "diversion_from_arrest", "arrestable_arrests", "resolved_in_community", "ems_transport",
)


class EvaluationDay(db.Model):
    """The agency's calls of a day, every responder (patrol-only included), counted per group of
    the same eligibility-funnel keys: whether the unit responded, the scope rule's parts, the
    service hours, whether the unit was requested and why an in-scope call was not taken.

    The keys bake in the agency's eligibility rules: changing them rebuilds the agency's rows.
    Keyed by day only (a year is about 15,000 rows at a million calls against 67,000 with the
    district): views narrowed by district or team read the calls (services/evaluation/rollup.py).
    """

    __tablename__ = "evaluation_day"
    __table_args__ = (sa.Index("ix_evaluation_day_agency_date", "agency_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    local_date: Mapped[date] = mapped_column(sa.Date)
    unit: Mapped[bool] = mapped_column()
    listed: Mapped[bool] = mapped_column()
    excluded: Mapped[bool] = mapped_column()
    within_hours: Mapped[bool] = mapped_column()
    requested: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    calls: Mapped[int] = mapped_column()
    located: Mapped[int] = mapped_column()
    arrestable: Mapped[int] = mapped_column()
    with_person: Mapped[int] = mapped_column()
    arrest_rate: Mapped[int] = mapped_column()
    use_of_force_rate: Mapped[int] = mapped_column()
    injury_rate: Mapped[int] = mapped_column()
    ed_use: Mapped[int] = mapped_column()
    repeat_call_share: Mapped[int] = mapped_column()
    diversion_from_arrest: Mapped[int] = mapped_column()
    arrestable_arrests: Mapped[int] = mapped_column()
    resolved_in_community: Mapped[int] = mapped_column()
    ems_transport: Mapped[int] = mapped_column()


class EvaluationGapDay(db.Model):
    """In-scope calls the unit did not take, per day, local weekday and hour, and district: the
    coverage gaps (a day has a few dozen of these cells)."""

    __tablename__ = "evaluation_gap_day"
    __table_args__ = (sa.Index("ix_evaluation_gap_day_agency_date", "agency_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    local_date: Mapped[date] = mapped_column(sa.Date)
    local_weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    district: Mapped[str | None] = mapped_column(sa.String(40))
    calls: Mapped[int] = mapped_column()


class MetricFactsState(db.Model):
    """What the facts were last built with; `flask metrics refresh --if-stale` compares it."""

    __tablename__ = "metric_facts_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column()
    repeat_window_days: Mapped[int] = mapped_column()
    high_utilizer_threshold: Mapped[int] = mapped_column()
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)

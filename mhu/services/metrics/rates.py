"""Outcome metrics of DESIGN.md section 5: one function per metric, each computed in SQL.

C = non-voided calls matching the filters (metrics_sql.call_conditions). C' = C without
unable_to_locate and cancelled_before_arrival calls: they count in volume, and C' is the base of every call-based rate.
Every rate is `{"numerator", "denominator", "value"}` with value None when the denominator is 0.
The call-based rates are declared once in CALL_RATES, so one metric function and the one-scan
summary share the same definition.
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.enums import FORCE_LEVELS, INJURY_SEVERITIES
from mhu.extensions import db
from mhu.models import Call, CallFact, CallInjury, Referral
from mhu.services.metrics.people import (
    followup_completion, followup_timeliness, high_utilizers, recrisis_after_followup, repeat_contact_rate,
    repeat_metrics,
)
from mhu.services.metrics.sql import (
    NOT_LOCATED, MetricFilters, call_conditions, count_if, day_sums, located, rate, ranked_percentiles,
    slice_conditions, unindexed,
)

ARREST_OR_CITATION = ("arrest", "citation_or_summons")
RESOLVED_IN_COMMUNITY = (
    "resolved_on_scene", "resolved_with_referral", "resources_declined", "notified_provider_or_family",
    "handoff_mobile_crisis", "voluntary_transport_crisis_facility", "courtesy_transport",
)
ED_USE = ("voluntary_transport_ed", "emergency_detention", "ems_medical_transport")
FORCE_AT_LEAST_PHYSICAL = FORCE_LEVELS[FORCE_LEVELS.index("physical_control"):]
INJURY_AT_LEAST_MINOR = INJURY_SEVERITIES[INJURY_SEVERITIES.index("minor"):]


def _disposition():
    return sa.func.coalesce(Call.disposition, "", type_=sa.String)


def _has_referral():
    return sa.exists(sa.select(1).where(Referral.call_id == Call.id))


def _has_injury(party: str | None = None):
    query = sa.select(1).where(CallInjury.call_id == Call.id, CallInjury.severity.in_(INJURY_AT_LEAST_MINOR))
    if party is not None:
        query = query.where(CallInjury.party == party)
    return sa.exists(query)


def _arrestable():
    return sa.and_(located(), Call.arrestable_offense != "none")


def _both_call_types():
    return sa.and_(located(), Call.initial_call_type.is_not(None), Call.final_call_type.is_not(None))


# Denominators of the call-based rates, each a condition on one call of C; the names are the
# day-sum columns (models/metric.py) that count them.
DENOMINATORS = {"located": located, "arrestable": _arrestable, "typed": _both_call_types}

# name -> (numerator condition, denominator name). A named disposition other than
# unable_to_locate and cancelled_before_arrival already implies C', so those numerators skip the check. These conditions are
# evaluated when a call is written (services/metric_facts.py counts them per day); readers add up
# the day counts.
CALL_RATES = {
    "arrest_rate": (lambda: Call.disposition == "arrest", "located"),
    "jail_diversion_rate": (lambda: _disposition().not_in((*ARREST_OR_CITATION, *NOT_LOCATED)), "located"),
    "diversion_from_arrest": (lambda: sa.and_(_arrestable(), _disposition().not_in(ARREST_OR_CITATION)), "arrestable"),
    "resolved_in_community": (lambda: Call.disposition.in_(RESOLVED_IN_COMMUNITY), "located"),
    "ed_use": (lambda: Call.disposition.in_(ED_USE), "located"),
    "emergency_detention_rate": (lambda: Call.disposition == "emergency_detention", "located"),
    "connection_to_services": (lambda: sa.and_(located(), _has_referral()), "located"),
    "use_of_force_rate": (lambda: sa.and_(located(), Call.force_level.in_(FORCE_AT_LEAST_PHYSICAL)), "located"),
    "injury_rate": (lambda: sa.and_(located(), _has_injury()), "located"),
    "cit_presence": (lambda: sa.and_(located(), Call.cit_officer_on_scene.is_(True)), "located"),
    "call_type_reclassified": (
        lambda: sa.and_(_both_call_types(), Call.final_call_type != Call.initial_call_type), "typed"),
}

# Durations the percentiles read: name -> (start, end) call columns; CallFact stores end - start
# in `<name>_seconds`, and the day sums count the calls with both times in `with_<name>`.
DURATIONS = {
    "response": (Call.dispatched_at, Call.arrived_at),
    "response_from_received": (Call.received_at, Call.arrived_at),
    "on_scene": (Call.arrived_at, Call.cleared_at),
}


def call_rates(*, filters: MetricFilters, names=tuple(CALL_RATES), interval: str | None = None):
    """Call volume and several call-based rates from the day sums; with an interval, one row per bucket."""
    columns = ["calls", *{CALL_RATES[name][1] for name in names}, *names]
    rows = day_sums(filters, columns, interval=interval)
    if interval is None:
        return _rates_of(rows[0]._mapping, names)
    return [{"period": str(row.period), **_rates_of(row._mapping, names)} for row in rows]


def _rates_of(counts, names) -> dict:
    """Call volume and the named rates from a mapping of day-sum counts."""
    return {"call_volume": int(counts["calls"]),
            **{name: rate(counts[name], counts[CALL_RATES[name][1]]) for name in names}}


def _one_rate(name: str, filters: MetricFilters) -> dict:
    return call_rates(filters=filters, names=(name,))[name]


def call_volume(*, filters: MetricFilters) -> int:
    """Count of C (unable_to_locate and cancelled_before_arrival included)."""
    return int(day_sums(filters, ["calls"])[0][0])


def arrest_rate(*, filters: MetricFilters) -> dict:
    """C' with disposition arrest / C'."""
    return _one_rate("arrest_rate", filters)


def jail_diversion_rate(*, filters: MetricFilters) -> dict:
    """1 - (arrest + citation_or_summons) / C', given as C' not arrested or cited / C'."""
    return _one_rate("jail_diversion_rate", filters)


def diversion_from_arrest(*, filters: MetricFilters) -> dict:
    """C' with an arrestable offense not arrested or cited / C' with an arrestable offense."""
    return _one_rate("diversion_from_arrest", filters)


def resolved_in_community(*, filters: MetricFilters) -> dict:
    """C' resolved without custody, hospital or arrest (RESOLVED_IN_COMMUNITY) / C'."""
    return _one_rate("resolved_in_community", filters)


def ed_use(*, filters: MetricFilters) -> dict:
    """C' ending in an ED transport, emergency detention or EMS transport / C' (ED diversion = 1 - this)."""
    return _one_rate("ed_use", filters)


def emergency_detention_rate(*, filters: MetricFilters) -> dict:
    """C' with disposition emergency_detention / C' (split: legal_hold_split)."""
    return _one_rate("emergency_detention_rate", filters)


def connection_to_services(*, filters: MetricFilters) -> dict:
    """C' with at least one referral / C'."""
    return _one_rate("connection_to_services", filters)


def use_of_force_rate(*, filters: MetricFilters) -> dict:
    """C' with force_level physical_control or above / C' (distribution: breakdown 'force')."""
    return _one_rate("use_of_force_rate", filters)


def injury_rate(*, filters: MetricFilters) -> dict:
    """C' with an injury of severity minor or worse to anyone / C' (by party: injury_rate_by_party)."""
    return _one_rate("injury_rate", filters)


def cit_presence(*, filters: MetricFilters) -> dict:
    """C' with a CIT-trained officer on scene / C'."""
    return _one_rate("cit_presence", filters)


def call_type_reclassified(*, filters: MetricFilters) -> dict:
    """C' whose final call type differs from the initial one / C' with both types."""
    return _one_rate("call_type_reclassified", filters)


def referral_linkage(*, filters: MetricFilters) -> dict:
    """Referrals made on C' calls with status linked / all referrals made on C' calls."""
    row = db.session.execute(
        sa.select(count_if(Referral.status == "linked"), sa.func.count(Referral.id))
        .join(Call, Call.id == Referral.call_id).where(*call_conditions(filters), located())
    ).one()
    return rate(row[0], row[1])


def injury_rate_by_party(*, filters: MetricFilters) -> dict:
    """Per injured party: C' with an injury of severity minor or worse to that party / C'."""
    from mhu.enums import INJURY_PARTIES

    columns = [count_if(sa.and_(located(), _has_injury(party))).label(party) for party in INJURY_PARTIES]
    row = db.session.execute(sa.select(count_if(located()).label("base"), *columns).where(*call_conditions(filters))).one()
    return {party: rate(row._mapping[party], row.base) for party in INJURY_PARTIES}


def duration_percentiles(name: str, *, filters: MetricFilters, count: int | None = None) -> dict:
    """Median and 90th percentile of a DURATIONS entry over C, seconds; `count`: its day sum, if known."""
    if count is None:
        count = int(day_sums(filters, [f"with_{name}"])[0][0])
    column = getattr(CallFact, f"{name}_seconds")
    conditions = slice_conditions(filters, CallFact, date_column=unindexed(CallFact.local_date))
    median, p90 = ranked_percentiles(column, conditions, count)
    return {"median_seconds": median, "p90_seconds": p90}


def response_time(*, filters: MetricFilters, from_received: bool = False) -> dict:
    """Median and 90th percentile of arrived_at - dispatched_at (or - received_at) over C, seconds."""
    return duration_percentiles("response_from_received" if from_received else "response", filters=filters)


def time_on_scene(*, filters: MetricFilters) -> dict:
    """Median and 90th percentile of cleared_at - arrived_at over C, seconds."""
    return duration_percentiles("on_scene", filters=filters)


def summary(*, filters: MetricFilters, rates: dict | None = None) -> dict:
    """Every headline metric of the period, keyed as in the API and the metric registry.

    `rates`: the period's call_rates() when the caller already has them (the Overview's one scan).
    """
    result = dict(rates) if rates is not None else call_rates(filters=filters)
    result.update(repeat_metrics(filters=filters))
    result.update(
        high_utilizers=high_utilizers(filters=filters),
        followup_timeliness=followup_timeliness(filters=filters),
        followup_completion=followup_completion(filters=filters),
        recrisis_after_followup=recrisis_after_followup(filters=filters),
        response_time=response_time(filters=filters),
        time_on_scene=time_on_scene(filters=filters),
    )
    return result


def time_series(*, filters: MetricFilters, interval: str = "month", names=tuple(CALL_RATES)) -> list[dict]:
    """Call volume and call-based rates per local day, week (from Monday) or month."""
    return call_rates(filters=filters, names=names, interval=interval)



def filter_options(*, actor) -> dict:
    """Teams the actor may filter by and the districts seen in the agency's calls (filter bar)."""
    from mhu.auth import policy
    from mhu.models import Team

    teams = sa.select(Team.id, Team.name).where(Team.agency_id == actor.agency_id).order_by(Team.name)
    scope = policy.team_scope(actor)
    if scope is not None:
        teams = teams.where(Team.id.in_(sorted(scope) or [-1]))
    return {"teams": [tuple(row) for row in db.session.execute(teams)], "districts": districts(actor.agency_id)}


# The agency's distinct districts by skipping along ix_call_agency_district (a "loose index scan"):
# one index seek per district instead of reading every call, on SQLite and PostgreSQL alike.
DISTRICTS = sa.text("""
WITH RECURSIVE seen(district) AS (
    SELECT min(district) FROM call WHERE agency_id = :agency AND district IS NOT NULL
    UNION ALL
    SELECT (SELECT min(c.district) FROM call c WHERE c.agency_id = :agency AND c.district > seen.district)
    FROM seen WHERE seen.district IS NOT NULL
)
SELECT district FROM seen WHERE district IS NOT NULL ORDER BY district
""")


def districts(agency_id: int) -> list[str]:
    """The districts seen in the agency's calls (voided ones included: a district exists once used)."""
    return list(db.session.scalars(DISTRICTS, {"agency": agency_id}))


def overview(*, filters: MetricFilters, previous_period: bool = True) -> dict:
    """Everything the Overview page shows: the headline metrics of this period and the previous
    one (for the trend; `previous_period=False` leaves it out, for callers that take trends from
    metrics.trends) and the monthly series for the sparklines.

    The call-based rates, follow-up timeliness and the duration counts of both periods come from
    one read of the day sums grouped by day (at most a few thousand rows), added up here.
    """
    previous = filters.previous_period()
    columns = ["calls", *DENOMINATORS, *CALL_RATES, "followups_due", "followups_on_time", "with_response"]
    first = previous.date_from if previous_period else filters.date_from
    days = day_sums(filters.with_dates(first, filters.date_to), columns, interval="day")
    start = filters.date_from.isoformat()
    current_days = [day for day in days if str(day.period) >= start]
    previous_days = [day for day in days if str(day.period) < start]
    months: dict[str, list] = {}
    for day in current_days:
        months.setdefault(str(day.period)[:7] + "-01", []).append(day)
    periods = {"current": (filters, current_days)}
    if previous_period:
        periods["previous"] = (previous, previous_days)
    result = {"previous": {}}
    for key, (period, rows) in periods.items():
        total = _add_up(rows, columns)
        result[key] = {
            **_rates_of(total, CALL_RATES),
            "repeat_contact_rate": repeat_contact_rate(filters=period),
            "followup_timeliness": rate(total["followups_on_time"], total["followups_due"]),
            "response_time": duration_percentiles("response", filters=period, count=total["with_response"]),
        }
    result["series"] = [{"period": month, **_rates_of(_add_up(rows, columns), CALL_RATES)}
                        for month, rows in sorted(months.items())]
    return result


def _add_up(rows: list, columns: list[str]) -> dict:
    """Several day-sum rows combined: each count added up."""
    return {name: sum(row._mapping[name] for row in rows) for name in columns}

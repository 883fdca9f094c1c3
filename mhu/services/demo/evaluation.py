"""Demo data for the Evaluation page: the CAD calls the unit did not attend (patrol-only), with
recorded reasons for some; who responded to the unit's calls; facility hand-off times; the
agency's eligibility rules, unit costs (illustrative, labelled as such) and program start dates.

It draws from the generator's random stream after the unit's calls, so the unit's own rows are
the same with or without it.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, Team
from mhu.services.demo import vocab as V
from mhu.services.demo.calls import DAY, Weighted
from mhu.services.localtime import local_parts

ELIGIBILITY = {
    "natures": ["mh_crisis", "suicide_threat", "suicide_attempt", "welfare_check", "intoxicated_person",
                "assist_person"],
    "call_types": ["10-96", "SUICT", "SUICA"],
    "exclude_risk_flags": ["weapon_gun"],
    # Seven days a week, 07:00-23:00 local: the night is the demo unit's coverage gap.
    "service_hours": {day: [[7, 23]] for day in range(7)},
}
DEMO_SOURCE = "Demo figure: replace with your jurisdiction's number and its source"
UNIT_COSTS = {
    "jail_booking": 420.0, "jail_bed_day": 135.0, "jail_days_per_booking": 4.0, "ed_visit": 2_200.0,
    "ems_transport": 1_150.0, "officer_hour": 68.0, "officer_hours_per_arrest": 3.5,
    "officer_hours_per_ed_transport": 3.0,
}
PATROL_NATURES = Weighted([("mh_crisis", 22), ("welfare_check", 20), ("suicide_threat", 10), ("suicide_attempt", 3),
                           ("intoxicated_person", 10), ("disturbance", 15), ("criminal", 10), ("domestic", 5),
                           ("other", 5)])
PATROL_DISPOSITIONS = Weighted([
    ("arrest", 14), ("citation_or_summons", 6), ("voluntary_transport_ed", 14), ("emergency_detention", 12),
    ("ems_medical_transport", 5), ("resolved_on_scene", 28), ("referred_to_other_agency", 4),
    ("no_action_possible", 10), ("unable_to_locate", 4), ("cancelled_before_arrival", 3)])
RECORDED_REASONS = Weighted([("no_unit_available", 40), ("safety_exclusion", 12), ("cancelled", 10),
                             ("not_requested", 25), ("other", 8), ("outside_hours", 5)])
# Night calls are where the unit's hours end: patrol-only calls lean towards them.
PATROL_HOURS = Weighted([(hour, 3 if hour < 7 or hour >= 23 else 2) for hour in range(24)])
ED_FACILITIES = ("St. David's Round Rock ED", "County General ED", "Seton Northwest ED")
CRISIS_FACILITY = "Integral Care Crisis Center"
ED_DISPOSITIONS = ("voluntary_transport_ed", "emergency_detention", "ems_medical_transport")


def add_evaluation_data(generator) -> None:
    """Patrol-only calls (about half as many as the unit's), hand-offs, settings and start dates."""
    _settings(generator)
    _responder_types(generator)
    _handoffs(generator)
    _patrol_calls(generator, max(1, generator.counts["calls"] // 2))


def _settings(generator) -> None:
    agency = generator.agency
    agency.eligibility = {**ELIGIBILITY, "service_hours": {str(d): w for d, w in ELIGIBILITY["service_hours"].items()}}
    agency.unit_costs = {key: {"amount": amount, "source": DEMO_SOURCE} for key, amount in UNIT_COSTS.items()}
    start = generator.days[len(generator.days) // 2]
    for team in db.session.scalars(sa.select(Team).where(Team.agency_id == agency.id)):
        team.program_start_date = start
    db.session.flush()


def _responder_types(generator) -> None:
    # updated_at set to itself: the column's onupdate default would stamp the load time on the rows.
    db.session.execute(sa.update(Call).where(Call.team_id == generator.clinician_team)
                       .values(responder_type="clinician_only", updated_at=Call.updated_at))


def _handoffs(generator) -> None:
    rng = generator.rng
    rows = db.session.execute(sa.select(Call.id, Call.arrived_at, Call.disposition).where(
        Call.agency_id == generator.agency.id, Call.arrived_at.is_not(None),
        Call.disposition.in_([*ED_DISPOSITIONS, "voluntary_transport_crisis_facility"])).order_by(Call.id)).all()
    updates = []
    for call_id, arrived, disposition in rows:
        if rng.random() > 0.85:
            continue  # not every team records the hand-off
        crisis = disposition == "voluntary_transport_crisis_facility"
        at_facility = arrived + timedelta(minutes=rng.randint(20, 50))
        minutes = rng.lognormvariate(math.log(25 if crisis else 70), 0.55)
        updates.append({"b_id": call_id, "b_facility": CRISIS_FACILITY if crisis else rng.choice(ED_FACILITIES),
                        "b_arrived": at_facility, "b_released": at_facility + timedelta(minutes=round(minutes, 1))})
    if updates:
        table = Call.__table__
        db.session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
                handoff_facility=sa.bindparam("b_facility"), arrived_at_facility=sa.bindparam("b_arrived"),
                released_at=sa.bindparam("b_released"), updated_at=table.c.updated_at), updates)
    generator.counts["handoffs"] = len(updates)


def _patrol_calls(generator, count: int) -> None:
    rng, zone = generator.rng, generator.zone
    calls, flags, injuries = [], [], []
    for sequence in range(1, count + 1):
        day = generator.days[generator.day_pick.pick(rng)]
        local = datetime.combine(day, time(PATROL_HOURS.pick(rng), rng.randrange(60)), zone)
        received_ts = min(int(local.timestamp()), generator.anchor_ts - DAY)
        received = generator._when(received_ts)
        local_date, hour, weekday = local_parts(received, generator.zone_name)
        nature = PATROL_NATURES.pick(rng)
        disposition = PATROL_DISPOSITIONS.pick(rng)
        charged = disposition in ("arrest", "citation_or_summons")
        offense = rng.choice(("misdemeanor", "misdemeanor", "felony", "person_crime")) if charged else (
            "misdemeanor" if rng.random() < 0.2 else "none")
        force = "none"
        if disposition == "arrest":
            force = rng.choice(("handcuffs_restraint",) * 6 + ("physical_control",) * 3 + ("less_lethal",))
        elif disposition == "emergency_detention":
            force = rng.choice(("handcuffs_restraint",) * 5 + ("physical_control",) + ("none",) * 4)
        call_id = generator._uuid()
        roll = rng.random()
        if roll < 0.05:
            flags.append({"call_id": call_id, "flag": "weapon_gun"})
        elif roll < 0.11:
            flags.append({"call_id": call_id, "flag": "weapon_knife"})
        if force in ("physical_control", "less_lethal") and rng.random() < 0.3:
            injuries.append({"call_id": call_id, "party": "subject", "severity": rng.choice(("minor", "moderate"))})
        district = V.DISTRICTS[rng.randrange(len(V.DISTRICTS))][0]
        dispatched = received_ts + rng.randint(60, 480)
        arrived = dispatched + rng.randint(240, 1500)
        cleared = arrived + rng.randint(1200, 7200)
        reason = RECORDED_REASONS.pick(rng) if rng.random() < 0.45 else None
        year = local_date.year % 100
        calls.append({
            "id": call_id, "agency_id": generator.agency.id, "team_id": None, "person_id": None,
            "incident_number": f"CAD{year:02d}-{sequence:06d}", "received_at": received,
            "dispatched_at": generator._when(dispatched), "arrived_at": generator._when(arrived),
            "cleared_at": generator._when(cleared), "local_date": local_date, "local_hour": hour,
            "local_weekday": weekday, "call_source": "911", "nature": nature,
            "initial_call_type": V.CALL_TYPES[nature], "final_call_type": V.CALL_TYPES[nature], "sim_intercept": 1,
            "arrestable_offense": offense, "district": district, "beat": None, "address": None, "latitude": None,
            "longitude": None, "cit_officer_on_scene": rng.random() < 0.3, "transfer_in": "911",
            "transfer_out": "ems" if disposition == "ems_medical_transport" else "none", "force_level": force,
            "disposition": disposition, "legal_hold_type": "EDO" if disposition == "emergency_detention" else None,
            "followup_required": False, "narrative": None, "responder_type": "patrol_only",
            "not_taken_reason": reason, "version": 1, "created_at": received, "created_by_id": generator.users["supervisor"],
            "updated_at": received, "updated_by_id": None, "voided_at": None, "voided_by_id": None, "void_reason": None,
        })
    for table, rows in ((Call.__table__, calls), (Call.__table__.metadata.tables["call_risk_flag"], flags),
                        (Call.__table__.metadata.tables["call_injury"], injuries)):
        for start in range(0, len(rows), generator.chunk_size):
            db.session.execute(sa.insert(table), rows[start:start + generator.chunk_size])
    generator.counts["patrol_calls"] = count

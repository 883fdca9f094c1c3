"""The eligibility funnel: of the agency's calls, which were in scope of the unit, which it took,
and why not the others. Every rule is a SQL expression over the call row; nothing is loaded.

Stages (each a subset of the one before):
  in scope        nature or CAD call type (final, else initial) listed, and no excluding risk flag;
  in service hours  in scope, received inside a weekday/hour window (agency-local); no windows: always;
  unit requested  in service hours, and the unit responded or the recorded reason says it was asked
                  but could not come (no_unit_available, cancelled);
  unit responded  in service hours, and the responder was the unit (not patrol_only).
Every in-scope call the unit did not take has a reason: the recorded not_taken_reason, else
`outside_hours` when it fell outside the windows, else `not_requested` (no request is on record).
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.enums import NOT_TAKEN_REASONS
from mhu.extensions import db
from mhu.models import Call, CallRiskFlag, Team
from mhu.services.evaluation.rollup import Counts, call_keys, period_conditions, stages
from mhu.services.evaluation.settings import eligibility
from mhu.services.metrics.sql import MetricFilters, config, rate, unit_call

STAGES = ("in_scope", "in_hours", "requested", "responded")
STAGE_TITLES = {"in_scope": "In scope", "in_hours": "In service hours", "requested": "Unit requested",
                "responded": "Unit responded"}
REQUESTED_REASONS = ("no_unit_available", "cancelled")


class Rules:
    """The agency's eligibility rules as SQL expressions over `Call`."""

    def __init__(self, rules: dict):
        self.rules = rules
        self.call_type = sa.func.upper(sa.func.trim(sa.func.coalesce(Call.final_call_type, Call.initial_call_type, "")))
        call_type = self.call_type
        # An empty list is "nothing listed": a placeholder value would not bind to the enum columns.
        self.nature_listed = Call.nature.in_(rules["natures"]) if rules["natures"] else sa.false()
        self.type_listed = call_type.in_(rules["call_types"]) if rules["call_types"] else sa.false()
        flags = rules["exclude_risk_flags"]
        self.excluding_flag = sa.select(sa.func.min(CallRiskFlag.flag)).where(
            CallRiskFlag.call_id == Call.id, CallRiskFlag.flag.in_(flags)).scalar_subquery()
        self.excluded = sa.exists(sa.select(1).where(CallRiskFlag.call_id == Call.id,
                                                     CallRiskFlag.flag.in_(flags))) if flags else sa.false()
        self.listed = sa.or_(self.nature_listed, self.type_listed)
        self.in_scope = sa.and_(self.listed, sa.not_(self.excluded))
        windows = [sa.and_(Call.local_weekday == day, Call.local_hour >= start, Call.local_hour < end)
                   for day, spans in rules["service_hours"].items() for start, end in spans]
        self.hours_set = bool(rules["service_hours"])
        self.within_hours = sa.or_(*windows) if windows else (sa.true() if not self.hours_set else sa.false())
        self.responded = unit_call()
        recorded = sa.func.coalesce(Call.not_taken_reason, "", type_=sa.String)
        self.requested = sa.or_(self.responded, recorded.in_(REQUESTED_REASONS))
        self.reason = sa.case(
            (self.responded, sa.null()),
            (Call.not_taken_reason.is_not(None), Call.not_taken_reason),
            (sa.not_(self.within_hours), "outside_hours"),
            else_="not_requested",
        )

    def stage(self, name: str):
        """The condition of one funnel stage (or "not_taken") on the call."""
        return stages(call_keys(self))[name]

    def rule(self):
        """Which rule decided the call's scope, in words."""
        call_type = sa.func.coalesce(sa.func.nullif(self.call_type, ""), "(none)", type_=sa.String)
        return sa.case(
            (sa.and_(self.listed, self.excluded),
             sa.literal("excluded by risk flag ", sa.String) + self.excluding_flag),
            (self.nature_listed, sa.literal("in scope: nature ", sa.String) + Call.nature),
            (self.type_listed, sa.literal("in scope: call type ", sa.String) + call_type),
            else_=sa.literal("out of scope: nature ", sa.String) + Call.nature
            + sa.literal(" and call type ", sa.String) + call_type + sa.literal(" not listed", sa.String),
        )


def rules_for(agency_id: int) -> Rules | None:
    rules = eligibility(agency_id)
    return Rules(rules) if rules else None


def counts_for(filters: MetricFilters, rules: Rules | None) -> Counts:
    """Where this view's evaluation counts come from (rollup.Counts)."""
    return Counts(filters, rules, config("REPEAT_WINDOW_DAYS"))


def funnel(*, filters: MetricFilters) -> dict:
    """Counts per funnel stage, the reasons in-scope calls were not taken, and the scope rules."""
    rules = rules_for(filters.agency_id)
    counts = counts_for(filters, rules)
    if rules is None:
        return {"configured": False, "stages": [], "reasons": [],
                "calls": int(db.session.scalar(sa.select(counts.count()).where(*counts.where)))}
    keys, stage = counts.keys, stages(counts.keys)
    row = db.session.execute(sa.select(
        counts.count(), *(counts.count(stage[name]) for name in STAGES),
        counts.count(sa.and_(keys.listed, keys.excluded)),
        counts.count(sa.and_(stage["in_scope"], sa.not_(keys.within_hours), keys.unit)),
        counts.count(sa.and_(sa.not_(stage["in_scope"]), keys.unit)),
    ).where(*counts.where)).one()
    total, *stage_counts, excluded, responded_outside, responded_out_of_scope = (int(v or 0) for v in row)
    reasons = dict(db.session.execute(
        sa.select(keys.reason, counts.count()).where(*counts.where, stage["not_taken"]).group_by(keys.reason)).all())
    in_scope = stage_counts[0]
    return {
        "configured": True, "calls": total, "rules": rules.rules,
        "stages": [{"stage": name, "title": STAGE_TITLES[name], "count": count,
                    "share_of_in_scope": (count / in_scope) if in_scope else None}
                   for name, count in zip(STAGES, stage_counts)],
        "reasons": [{"reason": reason, "count": int(reasons.get(reason, 0))} for reason in NOT_TAKEN_REASONS],
        "not_taken": sum(int(v) for v in reasons.values()),
        "coverage": rate(stage_counts[3], stage_counts[1]),
        "out_of_scope": total - in_scope, "excluded_by_risk_flag": excluded,
        "responded_outside_hours": responded_outside, "responded_out_of_scope": responded_out_of_scope,
    }


def coverage_gaps(*, filters: MetricFilters) -> dict:
    """In-scope calls the unit did not take, by local weekday x hour and by district."""
    rules = rules_for(filters.agency_id)
    if rules is None:
        return {"configured": False, "hour_weekday": [], "district": []}
    weekday, hour, district, count, where = counts_for(filters, rules).gap_cells()
    cells = db.session.execute(
        sa.select(weekday, hour, count).where(*where).group_by(weekday, hour).order_by(weekday, hour)).all()
    district = sa.func.coalesce(district, "unknown", type_=sa.String)
    districts = db.session.execute(
        sa.select(district, count).where(*where).group_by(district).order_by(count.desc(), district)).all()
    return {"configured": True,
            "hour_weekday": [{"weekday": int(d), "hour": int(h), "count": int(n)} for d, h, n in cells],
            "district": [{"district": name, "count": int(n)} for name, n in districts]}


def funnel_calls(*, filters: MetricFilters, stage: str, reason: str | None = None, limit: int = 200) -> dict:
    """The calls behind one funnel stage (or the not-taken calls with one reason), newest first."""
    rules = rules_for(filters.agency_id)
    if rules is None:
        return {"total": 0, "calls": []}
    where = [*period_conditions(filters), rules.stage(stage)]
    if reason is not None:
        where.append(rules.reason == reason)
    total = int(db.session.scalar(sa.select(sa.func.count()).select_from(Call).where(*where)))
    rows = db.session.execute(
        sa.select(Call.id, Call.incident_number, Call.local_date, Call.local_hour, Call.district, Call.nature,
                  sa.func.coalesce(Call.final_call_type, Call.initial_call_type).label("call_type"),
                  Call.responder_type, Team.name.label("team"), rules.reason.label("reason"),
                  rules.rule().label("rule"))
        .select_from(Call).outerjoin(Team, Team.id == Call.team_id).where(*where)
        .order_by(Call.received_at.desc(), Call.id).limit(limit)).all()
    return {"total": total, "calls": [dict(row._mapping) for row in rows]}


def call_scope(call: Call) -> dict:
    """One call's scope, the rule that decided it, its stages and (if not taken) its reason."""
    rules = rules_for(call.agency_id)
    if rules is None:
        return {"configured": False}
    row = db.session.execute(sa.select(
        rules.in_scope, rules.rule(), *(rules.stage(name) for name in STAGES), rules.reason,
    ).where(Call.id == call.id)).one()
    in_scope, rule, *stages, reason = row
    return {"configured": True, "in_scope": bool(in_scope), "rule": rule,
            "stages": [name for name, hit in zip(STAGES, stages) if hit],
            "reason": reason if in_scope else None}



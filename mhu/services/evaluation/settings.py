"""The agency's evaluation settings: eligibility rules, unit costs and the teams' program start dates.

Each setting is JSON on the agency (or a column of the team), None until an administrator sets it.
`eligibility_problems()` and `unit_cost_problems()` list every problem per field, so the admin form
and the API answer 422 with messages instead of storing rules the SQL could not apply.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from mhu import enums
from mhu.extensions import db
from mhu.models import Agency, Team

MAX_CALL_TYPES = 200
# Unit costs an administrator may fill in, with what each amount is. Amounts are in the agency's
# currency; "per_*" entries are assumptions (hours or days), not money.
UNIT_COSTS = {
    "jail_booking": "cost of one jail booking",
    "jail_bed_day": "cost of one jail bed-day",
    "jail_days_per_booking": "average jail stay after a booking, in days",
    "ed_visit": "cost of one emergency department visit",
    "ems_transport": "cost of one EMS transport",
    "officer_hour": "cost of one officer hour (salary and benefits)",
    "officer_hours_per_arrest": "officer hours one arrest takes (transport, booking, report)",
    "officer_hours_per_ed_transport": "officer hours one ED transport takes (transport and hand-off)",
}
MAX_AMOUNT = 10_000_000


def eligibility(agency_id: int) -> dict | None:
    """The agency's eligibility rules, normalised, or None when none are configured."""
    rules = db.session.scalar(sa.select(Agency.eligibility).where(Agency.id == agency_id))
    return normalised_eligibility(rules) if rules else None


def normalised_eligibility(rules: dict) -> dict:
    """Rules with every key present; call types upper-cased (CAD codes compare case-blind)."""
    hours = {int(day): [list(window) for window in windows]
             for day, windows in (rules.get("service_hours") or {}).items()}
    return {
        "natures": sorted(set(rules.get("natures") or [])),
        "call_types": sorted({str(code).strip().upper() for code in rules.get("call_types") or [] if str(code).strip()}),
        "exclude_risk_flags": sorted(set(rules.get("exclude_risk_flags") or [])),
        "service_hours": {day: sorted(windows) for day, windows in sorted(hours.items())},
    }


def eligibility_problems(rules) -> dict:
    """Per-field problems of an eligibility rule set ({} when it can be stored)."""
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        return {"eligibility": ["Must be an object with natures, call_types, exclude_risk_flags, service_hours."]}
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(rules) - {"natures", "call_types", "exclude_risk_flags", "service_hours"})
    if unknown:
        problems["eligibility"] = [f"Unknown keys: {', '.join(unknown)}."]
    for key, allowed in (("natures", enums.NATURES), ("exclude_risk_flags", enums.RISK_FLAGS)):
        values = rules.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems[f"eligibility.{key}"] = ["Must be a list of codes."]
        elif bad := sorted(set(values) - set(allowed)):
            problems[f"eligibility.{key}"] = [f"Unknown codes: {', '.join(bad)}."]
    types = rules.get("call_types") or []
    if not isinstance(types, list) or not all(isinstance(v, str) and 0 < len(v.strip()) <= 40 for v in types):
        problems["eligibility.call_types"] = ["Must be a list of CAD call types of 1 to 40 characters."]
    elif len(types) > MAX_CALL_TYPES:
        problems["eligibility.call_types"] = [f"At most {MAX_CALL_TYPES} call types."]
    if not problems and not (rules.get("natures") or rules.get("call_types")):
        problems["eligibility.natures"] = ["Name at least one nature or CAD call type that is in scope."]
    problems.update(_hours_problems(rules.get("service_hours")))
    return problems


def _hours_problems(hours) -> dict:
    if hours is None:
        return {}
    message = ("Must map weekdays 0 (Monday) to 6 to lists of [start, end) local hours, "
               "0 <= start < end <= 24.")
    if not isinstance(hours, dict):
        return {"eligibility.service_hours": [message]}
    for day, windows in hours.items():
        if str(day) not in {str(d) for d in range(7)} or not isinstance(windows, list):
            return {"eligibility.service_hours": [message]}
        for window in windows:
            if (not isinstance(window, list) or len(window) != 2
                    or not all(isinstance(h, int) and not isinstance(h, bool) for h in window)
                    or not 0 <= window[0] < window[1] <= 24):
                return {"eligibility.service_hours": [message]}
    return {}


def unit_costs(agency_id: int) -> dict:
    """The agency's unit costs: {key: {"amount", "source"}} for the keys an administrator filled in."""
    costs = db.session.scalar(sa.select(Agency.unit_costs).where(Agency.id == agency_id)) or {}
    return {key: costs[key] for key in UNIT_COSTS if key in costs and costs[key].get("amount") is not None}


def unit_cost_problems(costs) -> dict:
    if costs is None:
        return {}
    if not isinstance(costs, dict):
        return {"unit_costs": ["Must be an object of {amount, source} per cost."]}
    problems = {}
    for key, entry in costs.items():
        field = f"unit_costs.{key}"
        if key not in UNIT_COSTS:
            problems[field] = [f"Unknown cost; known: {', '.join(UNIT_COSTS)}."]
            continue
        if not isinstance(entry, dict) or set(entry) - {"amount", "source"}:
            problems[field] = ["Must be {\"amount\": number, \"source\": text}."]
            continue
        amount, source = entry.get("amount"), entry.get("source")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, float))
                                   or not 0 <= amount <= MAX_AMOUNT or amount != amount):
            problems[field] = [f"Amount must be a number from 0 to {MAX_AMOUNT}."]
        elif amount is not None and not (isinstance(source, str) and 3 <= len(source.strip()) <= 300):
            problems[field] = ["Say where the amount comes from (3 to 300 characters)."]
        elif source is not None and not isinstance(source, str):
            problems[field] = ["The source must be text."]
    return problems


def normalised_costs(costs: dict | None) -> dict | None:
    if not costs:
        return None
    return {key: {"amount": float(entry["amount"]), "source": entry["source"].strip()}
            for key, entry in costs.items() if entry and entry.get("amount") is not None}


def program_starts(agency_id: int) -> dict[int, date]:
    """{team id: program start date} for the agency's teams that have one."""
    rows = db.session.execute(sa.select(Team.id, Team.program_start_date).where(
        Team.agency_id == agency_id, Team.program_start_date.is_not(None)).order_by(Team.id))
    return {team_id: start for team_id, start in rows}

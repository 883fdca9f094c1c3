"""Per-agency settings set by the agency's administrators, with the app's configuration as default.

Services read `followup_hours()`, `suppression_threshold()` and `districts()` instead of the
config keys, so one deployment can serve agencies with different rules.
"""

from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import current_app

from mhu.auth import policy
from mhu.extensions import db
from mhu.models import Agency, Call, User
from mhu.services import ServiceError, audit

FOLLOWUP_HOURS_RANGE = (1, 24 * 14)
SUPPRESSION_RANGE = (2, 100)
MAX_DISTRICTS = 200
MAX_BEATS = 100


def followup_hours(agency_id: int | None, *, connection=None) -> int:
    """Hours after a call clears until its follow-up falls due (FOLLOWUP_DUE_HOURS by default)."""
    value = _setting(agency_id, Agency.followup_hours, connection=connection)
    return value if value is not None else current_app.config["FOLLOWUP_DUE_HOURS"]


def followup_hours_of(agency: Agency) -> int:
    """followup_hours() of an agency already loaded."""
    return agency.followup_hours if agency.followup_hours is not None else current_app.config["FOLLOWUP_DUE_HOURS"]


def suppression_threshold(agency_id: int | None) -> int:
    """Partner output hides counts below this (SUPPRESSION_THRESHOLD by default)."""
    value = _setting(agency_id, Agency.suppression_threshold)
    return value if value is not None else current_app.config["SUPPRESSION_THRESHOLD"]


def districts(agency_id: int) -> list[dict]:
    """The agency's districts with their beats, as configured (empty: none configured)."""
    return list(_setting(agency_id, Agency.districts) or [])


def _setting(agency_id, column, *, connection=None):
    if agency_id is None:
        return None
    return (connection or db.session).scalar(sa.select(column).where(Agency.id == agency_id))


def settings_of(agency: Agency) -> dict:
    """The agency's effective settings (defaults filled in) and which ones are defaults."""
    return {
        "name": agency.name,
        "timezone": agency.timezone,
        "districts": list(agency.districts or []),
        "suppression_threshold": suppression_threshold(agency.id),
        "followup_hours": followup_hours(agency.id),
        "eligibility": agency.eligibility,
        "unit_costs": agency.unit_costs,
        "defaults": {
            "suppression_threshold": current_app.config["SUPPRESSION_THRESHOLD"],
            "followup_hours": current_app.config["FOLLOWUP_DUE_HOURS"],
        },
    }


def update_settings(*, actor: User, changes: dict) -> Agency:
    """Change the actor's agency's settings; each changed setting is audited as a configuration change."""
    if not policy.can_manage_agency_settings(actor):
        raise PermissionError("agency settings are for administrators")
    from mhu.services.evaluation import settings as evaluation  # the package imports the metrics, which import us

    agency = db.session.get(Agency, actor.agency_id)
    problems = _problems(agency, changes)
    if problems:
        raise ServiceError("Some settings are not valid.", problems)
    for name, value in changes.items():
        if name == "districts":
            value = _normalised_districts(value)
        elif name == "eligibility":
            value = evaluation.normalised_eligibility(value) if value else None
        elif name == "unit_costs":
            value = evaluation.normalised_costs(value)
        if getattr(agency, name) != value:
            setattr(agency, name, value)
            audit.record(action=f"config.agency.{name}", actor=actor, object_type="agency", object_id=agency.id)
            if name in ("followup_hours", "eligibility"):
                from mhu.services.metrics import facts  # metrics import this module

                db.session.flush()
                if name == "followup_hours":
                    # Timeliness day sums bake the window in; new follow-ups fall due by the new window.
                    facts.refresh_agency_days(agency.id)
                else:
                    # The evaluation day sums bake the rules in (at a million calls this takes seconds).
                    facts.refresh_agency_evaluation(agency.id)
    db.session.commit()
    return agency


def _problems(agency: Agency, changes: dict) -> dict:
    problems = {}
    if "timezone" in changes and changes["timezone"] != agency.timezone:
        if changes["timezone"] not in available_timezones():
            problems["timezone"] = ["Not an IANA time zone name, such as America/Chicago."]
        elif db.session.scalar(sa.select(Call.id).where(Call.agency_id == agency.id).limit(1)) is not None:
            # Calls store their local date and hour at write time (metric facts); moving the zone
            # under them would split days inconsistently.
            problems["timezone"] = ["The time zone can only be changed before the agency's first call."]
    for name, (low, high) in (("followup_hours", FOLLOWUP_HOURS_RANGE), ("suppression_threshold", SUPPRESSION_RANGE)):
        value = changes.get(name)
        if value is not None and not (low <= value <= high):
            problems[name] = [f"Must be between {low} and {high}."]
    if "districts" in changes:
        problems.update(_district_problems(changes["districts"] or []))
    from mhu.services.evaluation import settings as evaluation  # the package imports the metrics, which import us

    problems.update(evaluation.eligibility_problems(changes.get("eligibility")))
    problems.update(evaluation.unit_cost_problems(changes.get("unit_costs")))
    return problems


def _district_problems(items: list[dict]) -> dict:
    names = [(item.get("name") or "").strip() for item in items]
    if len(items) > MAX_DISTRICTS:
        return {"districts": [f"At most {MAX_DISTRICTS} districts."]}
    if any(not name for name in names):
        return {"districts": ["Every district needs a name."]}
    if len({name.lower() for name in names}) != len(names):
        return {"districts": ["District names must be unique."]}
    if any(len(item.get("beats") or []) > MAX_BEATS for item in items):
        return {"districts": [f"At most {MAX_BEATS} beats per district."]}
    return {}


def _normalised_districts(items) -> list[dict] | None:
    if items is None:
        return None
    result = []
    for item in items:
        beats = []
        for beat in item.get("beats") or []:
            beat = beat.strip()
            if beat and beat not in beats:
                beats.append(beat)
        result.append({"name": item["name"].strip(), "beats": beats})
    return result


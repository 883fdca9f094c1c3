"""The live CAD feed: one incident at a time from an `integration` service account.

An incident is mapped with a named profile (docs/import/README.md) or given in MHU field names
(keyed on `incident_number`). Its key makes the feed idempotent: a repeat updates the call's
times, address and other fields the incident carries (never clearing what officers added). The
call is created for the service account's team, open, waiting for the officers' details.
"""

from __future__ import annotations

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call, User
from mhu.services import ServiceError, audit
from mhu.services.calls import _apply_fields, check_times, default_intercept
from mhu.services.imports import shipped_profiles, stored_profile
from mhu.services.imports.batch import NOT_NULL_DEFAULTS
from mhu.services.imports.mapping import Mapper
from mhu.services.imports.profile import FIELDS, LIST_FIELDS, ProfileError, parse_profile

DIRECT = "cad"


def _direct_profile(incident: dict, timezone: str):
    unknown = sorted(set(incident) - set(FIELDS))
    if unknown:
        raise ServiceError("Unknown fields.", {"incident": [f"{name}: not an MHU call field" for name in unknown]})
    body = {"version": 1, "name": DIRECT, "timezone": timezone, "key": ["incident_number"],
            "fields": {name: ({"column": name, "split": ";"} if name in LIST_FIELDS else {"column": name})
                       for name in incident}}
    if "received_at" not in incident:
        body["fields"]["received_at"] = {"column": "received_at"}
    return parse_profile(body)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value)


def post_incident(*, actor: User, incident: dict, profile_name: str | None) -> tuple[Call, bool]:
    """Create or update the call of one CAD incident; (call, created)."""
    if not actor.teams:
        raise ServiceError("This account has no team.", {"team": ["Assign the integration account to a team."]})
    team = actor.teams[0]
    try:
        if profile_name:
            profile = stored_profile(agency_id=actor.agency_id, name=profile_name)
            if profile is None and profile_name in shipped_profiles():
                profile = parse_profile(shipped_profiles()[profile_name])
            if profile is None:
                raise ServiceError("Unknown profile.", {"profile": [f"No profile named {profile_name!r}."]})
        else:
            profile = _direct_profile(incident, actor.agency.timezone)
        header = sorted(set(profile.columns()) | set(incident))
        mapper = Mapper(profile, header)
    except ProfileError as error:
        raise ServiceError("The profile cannot be used.", {"profile": error.problems}) from None
    row = [_cell(incident.get(name)) for name in header]
    key = mapper.key(row)
    if key is None:
        raise ServiceError("The incident has no key.", {"incident": [f"key: empty ({', '.join(profile.key)})"]})
    source_profile = f"{DIRECT}:{profile.name}"
    call = db.session.scalar(sa.select(Call).where(
        Call.agency_id == actor.agency_id, Call.source_profile == source_profile, Call.source_key == key))
    mapped = mapper.map(row)
    errors = [e for e in mapped.errors if not (call is not None and e.startswith("received_at: required"))]
    if errors:
        raise ServiceError("The incident has invalid fields.", {"incident": errors})
    given = {name: value for name, value in mapped.fields.items() if value is not None and value != []}
    if call is None:
        patrol = given.get("responder_type") == "patrol_only"  # the unit did not attend: no team
        call = Call(agency_id=actor.agency_id, team_id=None if patrol else team.id, created_by_id=actor.id,
                    source_profile=source_profile, source_key=key)
        intercept = 1 if patrol else default_intercept(team, given.get("call_source"))
        fields = {**NOT_NULL_DEFAULTS, "sim_intercept": intercept, **given}
        _apply_fields(call, fields, actor.agency)
        check_times(call)
        db.session.add(call)
        db.session.flush()
        audit.record(action="cad.incident.create", actor=actor, object_type="call", object_id=call.id)
        db.session.commit()
        return call, True
    if call.voided_at is None:
        _apply_fields(call, given, actor.agency)
        check_times(call)
        call.updated_by_id = actor.id
    audit.record(action="cad.incident.update", actor=actor, object_type="call", object_id=call.id)
    db.session.commit()
    return call, False


def waiting_calls(*, actor: User, limit: int = 20) -> list[Call]:
    """Open calls of the actor's teams that came from the CAD feed and still have no disposition."""
    if not actor.team_ids:
        return []
    integration = sa.select(User.id).where(User.agency_id == actor.agency_id, User.role == "integration")
    return list(db.session.scalars(
        sa.select(Call).where(Call.agency_id == actor.agency_id, Call.team_id.in_(actor.team_ids),
                              Call.voided_at.is_(None), Call.disposition.is_(None),
                              Call.created_by_id.in_(integration))
        .order_by(Call.received_at.desc()).limit(limit)))

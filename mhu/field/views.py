"""Field page routes. Thin: each asks the services (and through them the policy) for its data."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request
from flask_login import current_user

from mhu import enums
from mhu.auth import policy, requires
from mhu.field import bp
from mhu.models import Call
from mhu.models.types import utcnow
from mhu.services import agencies, agency_settings, calls, care, persons
from schemas.calls import CallReadSchema

STATIC_JS = Path(__file__).parent / "static" / "js"
# A call stays "open" on the home page while any of these is missing (calls_query's `open` filter).
OPEN_CALL_FIELDS = ("disposition", "dispatched_at", "arrived_at", "cleared_at")
FIELD_LABELS = {"dispatched_at": "dispatched time", "arrived_at": "arrival time", "cleared_at": "cleared time"}


def _actor():
    return current_user._get_current_object()


@bp.app_template_filter("field_label")
def field_label_filter(value) -> str:
    return enums.label(value)


@bp.app_template_filter("local_time")
def local_time_filter(moment: datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
    """A UTC moment shown in the viewer's agency time zone."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(current_user.agency.timezone)).strftime(fmt)


def _person_names(person_ids) -> dict:
    """Display names of the given persons (the viewer's roles may identify people)."""
    names = {}
    for person_id in {pid for pid in person_ids if pid is not None}:
        person = persons.get_person(actor=_actor(), person_id=person_id)
        if person is not None and person.identity is not None:
            names[person_id] = f"{person.identity.first_name} {person.identity.last_name}"
    return names


def missing_fields(call: Call) -> list[str]:
    return [FIELD_LABELS.get(name, name) for name in OPEN_CALL_FIELDS if getattr(call, name) is None]


def form_options() -> dict:
    """Enumerations and the viewer's teams (with their default intercept) for the call form."""
    teams = agencies.recordable_teams(actor=_actor())
    return {
        "teams": [{"id": t.id, "name": t.name, "intercept": calls.default_intercept(t)} for t in teams],
        "call_sources": enums.CALL_SOURCES, "natures": enums.NATURES,
        "presenting_problems": enums.PRESENTING_PROBLEMS, "risk_flags": enums.RISK_FLAGS,
        "dispositions": enums.DISPOSITIONS, "force_levels": enums.FORCE_LEVELS,
        "injury_parties": enums.INJURY_PARTIES, "injury_severities": enums.INJURY_SEVERITIES,
        "arrestable_offenses": enums.ARRESTABLE_OFFENSES, "transfers": enums.TRANSFERS,
        "intercepts": enums.SIM_INTERCEPT_NAMES,
    }


@bp.route("/")
@requires(policy.can_create_records)
def home():
    """My team's open calls, the new-call button, the follow-up queue link and pending device calls."""
    open_calls = calls.open_calls(actor=_actor())
    return render_template(
        "field/home.html", open_calls=open_calls, missing={c.id: missing_fields(c) for c in open_calls},
        names=_person_names(c.person_id for c in open_calls),
        show_followups=policy.can_work_followup_queue(_actor()),
    )


@bp.route("/calls/new")
@requires(policy.can_create_records)
def new_call():
    """The new-call form (also the offline shell the service worker keeps)."""
    return render_template("field/call_form.html", call=None, options=form_options())


@bp.route("/calls/<uuid:call_id>")
@requires(policy.can_create_records)
def call_page(call_id):
    """View and complete one call; clinicians also read and append clinical notes here."""
    actor = _actor()
    call = calls.read_call(actor=actor, call_id=call_id)
    if call is None or call.voided_at is not None:
        abort(404)
    person = persons.read_person(actor=actor, person_id=call.person_id) if call.person_id else None
    # Officers and supervisors never reach list_notes, so no note text can reach their page.
    notes = care.list_notes(actor=actor, call=call) if policy.can_read_clinical_notes(actor) else None
    return render_template(
        "field/call_form.html", call=call, call_data=CallReadSchema().dump(call), person=person,
        can_edit=policy.can_edit_call(actor, call), options=form_options(), notes=notes,
        referrals=care.list_referrals(actor=actor, call=call),
        followups=care.list_call_followups(actor=actor, call=call),
    )


def clock(followup) -> dict:
    """The 48-hour clock of a follow-up: hours left (negative when overdue)."""
    hours = (followup.due_at - utcnow()).total_seconds() / 3600
    return {"hours": hours, "overdue": hours < 0, "text": (
        f"overdue by {abs(hours):.0f} h" if hours < 0 else f"due in {hours:.0f} h"
    )}


@bp.route("/followups")
@requires(policy.can_create_records)
def followups():
    """The follow-up queue by due time, overdue marked, with attempt and referral forms."""
    actor = _actor()
    scope = "mine" if request.args.get("scope") == "mine" else "team"
    items, total = care.list_followups(actor=actor, status="open", scope=scope, page=1, per_page=100)
    call_by_id = {f.call_id: calls.get_call(actor=actor, call_id=f.call_id) for f in items}
    return render_template(
        "field/followups.html", items=items, total=total, scope=scope, calls=call_by_id,
        clocks={f.id: clock(f) for f in items},
        referrals={cid: care.list_referrals(actor=actor, call=c) for cid, c in call_by_id.items()},
        names=_person_names(c.person_id for c in call_by_id.values()),
        options={
            "methods": enums.FOLLOWUP_METHODS, "outcomes": enums.FOLLOWUP_OUTCOMES,
            "referral_types": enums.REFERRAL_TYPES, "referral_statuses": enums.REFERRAL_STATUSES,
        },
        due_hours=agency_settings.followup_hours(actor.agency_id),
    )


@bp.route("/sw.js")
@requires(policy.can_create_records)
def service_worker():
    """The service worker, served under /field/ so its scope covers the field pages."""
    response = Response((STATIC_JS / "sw.js").read_text(), mimetype="application/javascript")
    response.headers["Service-Worker-Allowed"] = "/field/"
    response.headers["Cache-Control"] = "no-cache"
    return response


"""Field page routes. Thin: each asks the services (and through them the policy) for its data."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError, fields

from mhu import enums
from mhu.auth import policy, requires
from mhu.field import bp
from mhu.services import ServiceError, agencies, agency_settings, calls, care, persons, stories, worklists
from schemas.calls import CallReadSchema
from schemas.care import AttemptCreateSchema, NoteCreateSchema, ReferralCreateSchema
from schemas.persons import PersonUpdateSchema
from schemas.stories import StoryWriteSchema

STATIC_JS = Path(__file__).parent / "static" / "js"
QUEUE_PER_PAGE = 20


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


def form_options() -> dict:
    """Enumerations and the viewer's teams (with the intercept each call source starts at) for the call form."""
    teams = agencies.recordable_teams(actor=_actor())
    return {
        "teams": [{
            "id": t.id, "name": t.name, "intercept": calls.default_intercept(t),
            "by_source": {source: calls.default_intercept(t, source) for source in enums.CALL_SOURCES},
        } for t in teams],
        "call_sources": enums.CALL_SOURCES, "natures": enums.NATURES,
        "presenting_problems": enums.PRESENTING_PROBLEMS, "risk_flags": enums.RISK_FLAGS,
        "dispositions": enums.DISPOSITIONS, "force_levels": enums.FORCE_LEVELS,
        "injury_parties": enums.INJURY_PARTIES, "injury_severities": enums.INJURY_SEVERITIES,
        "arrestable_offenses": enums.ARRESTABLE_OFFENSES, "transfers": enums.TRANSFERS,
        "responder_types": enums.UNIT_RESPONDER_TYPES,
        "intercepts": enums.SIM_INTERCEPT_NAMES, "referral_types": enums.REFERRAL_TYPES,
        "referral_statuses": enums.REFERRAL_STATUSES, "referral_dispositions": sorted(calls.REFERRAL_DISPOSITIONS),
        "methods": enums.FOLLOWUP_METHODS, "outcomes": enums.FOLLOWUP_OUTCOMES,
        # The agency's configured districts and beats, offered as suggestions (free text still allowed).
        "districts": agency_settings.districts(_actor().agency_id),
        # Optional equity-reporting fields: every group has its explicit "not recorded".
        "race_ethnicity": (*enums.RACE_ETHNICITY, "not_recorded"), "sexes": enums.SEXES,
    }


@bp.route("/")
@requires(policy.can_create_records)
def home():
    """New call, what still needs me, my recent calls, calls needing a subject, pending device calls."""
    actor = _actor()
    needs_me = worklists.calls_needing_me(actor=actor)
    recent = worklists.my_recent_calls(actor=actor)
    needing_subject = worklists.calls_needing_subject(actor=actor)
    shown = [*needs_me, *recent["today"], *recent["yesterday"]]
    return render_template(
        "field/home.html", needs_me=needs_me, recent=recent, needing_subject=needing_subject,
        missing={c.id: worklists.missing_fields(c) for c in shown},
        names=_person_names(c.person_id for c in shown),
        show_followups=policy.can_work_followup_queue(actor),
    )


@bp.route("/calls/new")
@requires(policy.can_create_records)
def new_call():
    """The new-call form (also the offline shell the service worker keeps)."""
    return render_template("field/call_form.html", call=None, options=form_options())


@bp.route("/calls/<uuid:call_id>")
@requires(policy.can_create_records)
def call_page(call_id):
    """One call: what it says, its referrals and follow-ups (clinicians: attempts and notes first),
    and its details form, opened on purpose (or at once while the call still lacks something)."""
    actor = _actor()
    call = calls.read_call(actor=actor, call_id=call_id)
    if call is None or call.voided_at is not None:
        abort(404)
    person = persons.read_person(actor=actor, person_id=call.person_id) if call.person_id else None
    # Officers and supervisors never reach list_notes, so no note text can reach their page.
    notes = care.list_notes(actor=actor, call=call) if policy.can_read_clinical_notes(actor) else None
    followups = care.list_call_followups(actor=actor, call=call)
    return render_template(
        "field/call_page.html", call=call, call_data=CallReadSchema().dump(call), person=person,
        can_edit=policy.can_edit_call(actor, call), options=form_options(), notes=notes,
        referrals=care.list_referrals(actor=actor, call=call), followups=followups,
        clocks={f.id: care.due_text(f.due_at) for f in followups},
        missing=worklists.missing_fields(call), hint=worklists.subject_hint(call=call),
        clinician=policy.can_read_clinical_notes(actor), saved=request.args.get("saved"),
        story=stories.read_story(actor=actor, call=call), can_draft_story=policy.can_draft_story(actor, call),
        can_approve_stories=policy.can_approve_stories(actor),
    )


STORY_ACTIONS = {"approve": stories.approve, "withdraw": stories.withdraw}


def _return_path(default: str) -> str:
    """Where a plain form post goes back to: the field page it names, else the default (never off-site)."""
    back = request.form.get("next") or ""
    return back if back.startswith("/field/") else default


def _form_input(schema, form) -> dict:
    """A plain form post as the API schema's input: blank fields left out, checkboxes as booleans."""
    raw = {}
    for name, field in schema.fields.items():
        if isinstance(field, fields.Boolean):
            raw[name] = form.get(name) in ("on", "true", "1")
        elif (form.get(name) or "").strip():
            raw[name] = form[name].strip()
    return schema.load(raw)


def _saved_or_refused(save, back: str):
    """Run a plain form post's save: back to the page with save()'s confirmation, or say what was refused.

    These posts are what a tap sends before (or without) the page's script, which uses the API instead."""
    page = back.split("#")[0]
    try:
        message = save()
    except ValidationError as error:
        return render_template("field/not_saved.html", errors=error.messages, back=page), 422
    except ServiceError as error:
        if error.status == 403:
            abort(403)
        return render_template("field/not_saved.html", errors=error.errors or {"_form": [error.message]},
                               back=page), error.status
    flash(message)
    return redirect(back)


def _open_call_or_404(actor, call_id):
    call = calls.get_call(actor=actor, call_id=call_id, include_voided=False)
    if call is None:
        abort(404)
    return call


@bp.route("/calls/<uuid:call_id>/story", methods=["POST"])
@requires(policy.can_create_records)
def save_story(call_id):
    """Draft, approve or withdraw the call's story from the call page's plain form."""
    actor = _actor()
    call = _open_call_or_404(actor, call_id)
    action = request.form.get("action", "draft")
    if action != "draft" and action not in STORY_ACTIONS:
        abort(400)

    def save():
        if action == "draft":
            summary = StoryWriteSchema().load({"summary": request.form.get("summary", "")})["summary"]
            stories.save_draft(actor=actor, call=call, summary=summary)
            return "Story saved as a draft: a supervisor approves it before any report prints it."
        if STORY_ACTIONS[action](actor=actor, call=call) is None:
            abort(404)
        return "Story approved: reports for its month print it." if action == "approve" else "Story withdrawn."

    return _saved_or_refused(save, url_for("field.call_page", call_id=call.id) + "#story")


@bp.route("/calls/<uuid:call_id>/notes", methods=["POST"])
@requires(policy.can_read_clinical_notes)
def add_note(call_id):
    """Append a clinical note or an addendum from the call page's plain form."""
    actor = _actor()
    call = _open_call_or_404(actor, call_id)

    def save():
        note = care.append_note(actor=actor, call=call, data=_form_input(NoteCreateSchema(), request.form))
        return "Addendum added." if note.addendum_to_id else "Note added."

    return _saved_or_refused(save, url_for("field.call_page", call_id=call.id) + "#clinical-notes")


@bp.route("/calls/<uuid:call_id>/referrals", methods=["POST"])
@requires(policy.can_create_records)
def add_referral(call_id):
    """Record a referral from the plain form of the call page or of the follow-up queue."""
    actor = _actor()
    call = _open_call_or_404(actor, call_id)

    def save():
        care.create_referral(actor=actor, call=call, data=_form_input(ReferralCreateSchema(), request.form))
        return "Referral added."

    return _saved_or_refused(save, _return_path(url_for("field.call_page", call_id=call.id) + "#referrals"))


@bp.route("/persons/<uuid:person_id>")
@requires(policy.can_create_records, policy.can_identify_persons)
def person_page(person_id):
    """A person: identity, aliases, safety flags and response plan first, then contacts and open follow-ups."""
    record = persons.person_record(actor=_actor(), person_id=person_id)
    if record is None:
        abort(404)
    return render_template(
        "field/person.html", **record,
        clocks={f.id: care.due_text(f.due_at) for f in record["open_followups"]},
        options={"race_ethnicity": (*enums.RACE_ETHNICITY, "not_recorded"), "sexes": enums.SEXES},
    )


@bp.route("/persons/<uuid:person_id>/demographics", methods=["POST"])
@requires(policy.can_create_records, policy.can_identify_persons)
def save_demographics(person_id):
    """The person page's optional demographics form (race/ethnicity, sex), posted without JavaScript."""
    actor = _actor()
    person = persons.get_person(actor=actor, person_id=person_id)
    if person is None:
        abort(404)
    back = url_for("field.person_page", person_id=person.id)
    races = [code for code in request.form.getlist("race_ethnicity") if code != "not_recorded"]
    try:
        data = PersonUpdateSchema().load({"sex": request.form.get("sex") or "not_recorded", "race_ethnicity": races})
        persons.update_person(actor=actor, person=person, data=data, expected_version=None)
    except ValidationError as error:
        return render_template("field/not_saved.html", errors=error.messages, back=back), 422
    except ServiceError as error:
        return render_template("field/not_saved.html", errors=error.errors or {"_form": [error.message]},
                               back=back), error.status
    flash("Demographics saved.")
    return redirect(f"{back}#demographics")


def _queue_args() -> tuple[str, str, int]:
    view = request.args.get("view", "soon")
    scope = "mine" if request.args.get("scope") == "mine" else "team"
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    return (view if view in care.QUEUE_VIEWS else "soon"), scope, page


@bp.route("/followups")
@requires(policy.can_create_records)
def followups():
    """The follow-up queue: a summary of what is due, then due-soon (default), overdue or all, paged."""
    actor = _actor()
    view, scope, page = _queue_args()
    items, total = care.queue_page(actor=actor, view=view, scope=scope, page=page, per_page=QUEUE_PER_PAGE)
    call_by_id = {f.call_id: calls.get_call(actor=actor, call_id=f.call_id) for f in items}
    return render_template(
        "field/followups.html", items=items, total=total, scope=scope, view=view, page=page,
        pages=max(1, -(-total // QUEUE_PER_PAGE)), summary=care.queue_summary(actor=actor, scope=scope),
        calls=call_by_id, clocks={f.id: care.due_text(f.due_at) for f in items},
        referrals={cid: care.list_referrals(actor=actor, call=c) for cid, c in call_by_id.items()},
        names=_person_names(c.person_id for c in call_by_id.values()),
        options=form_options(), due_hours=agency_settings.followup_hours(actor.agency_id),
    )


def _attempt_from_form(form) -> dict:
    """The attempt form as posted without JavaScript: local wall-clock time, checkbox "on"."""
    raw = {"method": form.get("method") or None, "reached": form.get("reached") in ("on", "true", "1")}
    when = form.get("attempted_at")
    if when:
        try:
            local = datetime.fromisoformat(when)
        except ValueError:
            raw["attempted_at"] = when  # the schema names the problem
        else:
            if local.tzinfo is None:
                local = local.replace(tzinfo=ZoneInfo(current_user.agency.timezone))
            raw["attempted_at"] = local.isoformat()
    else:
        raw["attempted_at"] = datetime.now(ZoneInfo(current_user.agency.timezone)).isoformat()
    if form.get("outcome"):
        raw["outcome"] = form["outcome"]
    return AttemptCreateSchema().load({k: v for k, v in raw.items() if v is not None})


@bp.route("/followups/<uuid:followup_id>/attempts", methods=["POST"])
@requires(policy.can_create_records)
def record_attempt(followup_id):
    """Record an attempt from a plain form post (the page's script uses the API instead)."""
    actor = _actor()
    followup = care.get_followup(actor=actor, followup_id=followup_id)
    if followup is None:
        abort(404)
    back = _return_path(url_for("field.followups"))

    def save():
        care.record_attempt(actor=actor, followup=followup, data=_attempt_from_form(request.form))
        return "Attempt recorded." + (" The follow-up is closed." if followup.closed_at else "")

    return _saved_or_refused(save, f"{back}#followup-{followup.id}")


@bp.route("/sw.js")
@requires(policy.can_create_records)
def service_worker():
    """The service worker, served under /field/ so its scope covers the field pages."""
    response = Response((STATIC_JS / "sw.js").read_text(), mimetype="application/javascript")
    response.headers["Service-Worker-Allowed"] = "/field/"
    response.headers["Cache-Control"] = "no-cache"
    return response

"""Administration pages. Views parse the form, call a service and redirect (post/redirect/get);
a rule broken by the input is shown on the page with a 422, never a 500."""

import json
from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from mhu import enums
from mhu.auth import policy, requires
from mhu.extensions import db
from mhu.models import User
from mhu.models.types import utcnow
from mhu.services import ServiceError, admin, agency_settings, audit_query, sessions
from mhu.services.agencies import list_teams
from mhu.services.evaluation.settings import UNIT_COSTS

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.app_context_processor
def clock():
    return {"now": utcnow}


@bp.app_context_processor
def rules():
    # The navigation shows a link only to those its page admits (mhu/auth/policy.py).
    return {"policy": policy}


def me():
    return current_user._get_current_object()


def problems_of(error: ServiceError) -> list[str]:
    """The service's message and its per-field messages, for the page."""
    return [error.message, *(f"{field.replace('_', ' ')}: {m}" for field, ms in error.errors.items() for m in ms)]


def integer(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ServiceError("A number is expected.", {field: ["Enter a whole number."]}) from None


def day(value, field: str):
    """A YYYY-MM-DD form value (empty: None)."""
    if value in (None, ""):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ServiceError("A date is expected.", {field: ["Enter a date as YYYY-MM-DD."]}) from None
    if not 1900 <= parsed.year <= 2100:
        raise ServiceError("A date is expected.", {field: ["Enter a date between 1900 and 2100."]})
    return parsed


def evaluation_settings(form) -> dict:
    """The eligibility rules (JSON, docs/evaluation.md) and unit costs of the settings form."""
    text = form.get("eligibility", "").strip()
    try:
        rules = json.loads(text) if text else None
    except ValueError as error:
        raise ServiceError("The eligibility rules are not valid JSON.", {"eligibility": [str(error)]}) from None
    costs = {}
    for key in UNIT_COSTS:
        amount, source = form.get(f"cost_{key}", "").strip(), form.get(f"source_{key}", "").strip()
        if not amount and not source:
            continue
        try:
            costs[key] = {"amount": float(amount), "source": source}
        except ValueError:
            raise ServiceError("A number is expected.", {f"unit_costs.{key}": ["Enter an amount."]}) from None
    return {"eligibility": rules, "unit_costs": costs or None}


def integers(values, field: str) -> list[int]:
    return [integer(v, field) for v in values if v not in (None, "")]


# ---- agency settings -----------------------------------------------------------------------

def parse_districts(text: str) -> list[dict]:
    """One district a line: `Name: beat, beat`."""
    districts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, beats = line.partition(":")
        districts.append({"name": name.strip(), "beats": [b.strip() for b in beats.split(",") if b.strip()]})
    return districts


def districts_text(districts) -> str:
    return "\n".join(f"{d['name']}: {', '.join(d['beats'])}" if d["beats"] else d["name"] for d in districts)


@bp.route("/admin/settings", methods=["GET", "POST"])
@requires(policy.can_manage_agency_settings)
def settings():
    """The agency's time zone, districts and beats, suppression threshold and follow-up hours."""
    problems, status = [], 200
    if request.method == "POST":
        try:
            changes = {
                "timezone": request.form.get("timezone", "").strip(),
                "districts": parse_districts(request.form.get("districts", "")),
                "suppression_threshold": integer(request.form.get("suppression_threshold"), "suppression_threshold"),
                "followup_hours": integer(request.form.get("followup_hours"), "followup_hours"),
                **evaluation_settings(request.form),
            }
            agency_settings.update_settings(actor=me(), changes=changes)
            flash("Settings saved.")
            return redirect(url_for("admin.settings"))
        except ServiceError as error:
            problems, status = problems_of(error), 422
    current = agency_settings.settings_of(me().agency)
    form = request.form if request.method == "POST" else None
    eligibility_text = json.dumps(current["eligibility"], indent=2) if current["eligibility"] else ""
    return render_template("admin/settings.html", settings=current, districts_text=districts_text(current["districts"]),
                           form=form, problems=problems, eligibility_text=eligibility_text, unit_costs=UNIT_COSTS,
                           costs=current["unit_costs"] or {}), status


# ---- users and invitations -----------------------------------------------------------------

@bp.route("/admin/users")
@requires(policy.can_manage_users)
def users():
    """The agency's accounts, pending invitations and the invitation form."""
    return render_template("admin/users.html", users=admin.list_users(actor=me()),
                           invitations=admin.pending_invitations(actor=me()), teams=list_teams(actor=me()),
                           session_counts=admin.open_session_counts(actor=me()), roles=enums.ROLES, problems=[])


@bp.route("/admin/invitations", methods=["POST"])
@requires(policy.can_manage_users)
def invite():
    """Create an invitation and show its one-time link."""
    try:
        role = request.form.get("role", "")
        if role not in enums.ROLES:
            raise ServiceError("Choose a role.", {"role": ["Choose one of the listed roles."]})
        token, link = admin.invite(actor=me(), email=request.form.get("email", ""), role=role,
                                   team_ids=integers(request.form.getlist("team_ids"), "team_ids"))
    except ServiceError as error:
        return render_template("admin/users.html", users=admin.list_users(actor=me()),
                               invitations=admin.pending_invitations(actor=me()), teams=list_teams(actor=me()),
                               session_counts=admin.open_session_counts(actor=me()), roles=enums.ROLES,
                               problems=problems_of(error)), 422
    return render_template("admin/link.html", title="Invitation created", email=link.email,
                           url=url_for("admin.account_link", token=token, _external=True), expires_at=link.expires_at)


@bp.route("/admin/invitations/<int:link_id>/revoke", methods=["POST"])
@requires(policy.can_manage_users)
def revoke_invitation(link_id):
    """Withdraw an invitation."""
    if not admin.revoke_invitation(actor=me(), link_id=link_id):
        abort(404)
    flash("Invitation withdrawn.")
    return redirect(url_for("admin.users"))


def _user_or_404(user_id):
    user = admin.get_user(actor=me(), user_id=user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(policy.can_manage_users)
def user(user_id):
    """One account: role, active, teams, CIT level, lock, sessions."""
    account = _user_or_404(user_id)
    problems, status = [], 200
    if request.method == "POST":
        try:
            role = request.form.get("role", account.role)
            cit = request.form.get("cit_level", account.cit_level)
            if role not in enums.ROLES or cit not in enums.CIT_LEVELS:
                raise ServiceError("Choose from the lists.", {"role": ["Choose a listed value."]})
            admin.update_user(actor=me(), user=account, changes={
                "role": role, "cit_level": cit, "active": request.form.get("active") == "on",
                "display_name": request.form.get("display_name", "").strip() or None,
                "team_ids": integers(request.form.getlist("team_ids"), "team_ids"),
            })
            flash("Account saved.")
            return redirect(url_for("admin.user", user_id=account.id))
        except ServiceError as error:
            problems, status = problems_of(error), 422
            account = _user_or_404(user_id)
    return render_template("admin/user.html", account=account, teams=list_teams(actor=me()), roles=enums.ROLES,
                           cit_levels=enums.CIT_LEVELS, devices=sessions.list_open(user=account),
                           problems=problems), status


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@requires(policy.can_manage_users)
def unlock(user_id):
    """Lift a lockout."""
    admin.unlock(actor=me(), user=_user_or_404(user_id))
    flash("Account unlocked.")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/password-reset", methods=["POST"])
@requires(policy.can_manage_users)
def password_reset(user_id):
    """Void the password and show a one-time reset link to hand over."""
    account = _user_or_404(user_id)
    token = admin.force_password_reset(actor=me(), user=account)
    link = admin.open_link(token)
    return render_template("admin/link.html", title="Password reset", email=account.email,
                           url=url_for("admin.account_link", token=token, _external=True), expires_at=link.expires_at)


@bp.route("/admin/users/<int:user_id>/sessions/end", methods=["POST"])
@requires(policy.can_manage_users)
def end_user_sessions(user_id):
    """Sign the user out on one device (session_id) or on all."""
    account = _user_or_404(user_id)
    session_id = integer(request.form.get("session_id"), "session_id") if request.form.get("session_id") else None
    ended = admin.end_user_sessions(actor=me(), user=account, session_id=session_id)
    flash(f"Signed out on {ended} device{'s' if ended != 1 else ''}.")
    return redirect(url_for("admin.user", user_id=user_id))


# ---- teams ---------------------------------------------------------------------------------

@bp.route("/admin/teams", methods=["GET", "POST"])
@requires(policy.can_manage_teams)
def teams():
    """The agency's teams and a form to add one."""
    problems, status = [], 200
    if request.method == "POST":
        kind = request.form.get("kind", "co_responder")
        try:
            if kind not in enums.TEAM_KINDS:
                raise ServiceError("Choose a team kind.", {"kind": ["Choose a listed kind."]})
            team = admin.create_team(actor=me(), name=request.form.get("name", ""), kind=kind)
            flash(f"Team {team.name} created.")
            return redirect(url_for("admin.team", team_id=team.id))
        except ServiceError as error:
            problems, status = problems_of(error), 422
    return render_template("admin/teams.html", teams=list_teams(actor=me()), kinds=enums.TEAM_KINDS,
                           problems=problems), status


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@requires(policy.can_manage_teams)
def team(team_id):
    """One team: name, kind, active, members."""
    record = admin.get_team(actor=me(), team_id=team_id)
    if record is None:
        abort(404)
    problems, status = [], 200
    if request.method == "POST":
        kind = request.form.get("kind", record.kind)
        try:
            if kind not in enums.TEAM_KINDS:
                raise ServiceError("Choose a team kind.", {"kind": ["Choose a listed kind."]})
            admin.update_team(actor=me(), team=record, changes={
                "name": request.form.get("name", ""), "kind": kind, "active": request.form.get("active") == "on",
                "member_ids": integers(request.form.getlist("member_ids"), "member_ids"),
                "program_start_date": day(request.form.get("program_start_date"), "program_start_date"),
            })
            flash("Team saved.")
            return redirect(url_for("admin.team", team_id=team_id))
        except ServiceError as error:
            problems, status = problems_of(error), 422
            record = admin.get_team(actor=me(), team_id=team_id)
    people = admin.list_users(actor=me()) if policy.can_manage_users(me()) else _agency_people()
    return render_template("admin/team.html", team=record, people=people, kinds=enums.TEAM_KINDS,
                           problems=problems), status


def _agency_people():
    # Supervisors manage teams but not accounts: they see the agency's active field staff to pick from.
    return list(db.session.scalars(sa.select(User).where(User.agency_id == me().agency_id, User.active.is_(True),
                                                         User.role.in_(policy.FIELD_ROLES)).order_by(User.email)))


# ---- integration tokens --------------------------------------------------------------------

@bp.route("/admin/tokens", methods=["GET", "POST"])
@requires(policy.can_manage_integrations)
def tokens():
    """Tokens of integration accounts: issue (shown once) and list."""
    problems, status, issued = [], 200, None
    if request.method == "POST":
        try:
            holder = admin.get_user(actor=me(), user_id=integer(request.form.get("user_id"), "user_id") or 0)
            if holder is None:
                raise ServiceError("Choose an account.", {"user_id": ["Choose one of the listed accounts."]})
            days = integer(request.form.get("days"), "days") or 90
            issued, _ = admin.issue_token(actor=me(), user=holder, label=request.form.get("label", ""), days=days)
            status = 201
        except ServiceError as error:
            problems, status = problems_of(error), 422
    return render_template("admin/tokens.html", tokens=admin.list_tokens(actor=me()),
                           holders=admin.token_holders(actor=me()), issued=issued, problems=problems,
                           integration_role="integration" in enums.ROLES), status


@bp.route("/admin/integrations", methods=["POST"])
@requires(policy.can_manage_integrations)
def create_integration():
    """Create an integration account, then issue it a token on the same page."""
    try:
        account = admin.create_integration_account(actor=me(), email=request.form.get("email", ""),
                                                   display_name=request.form.get("display_name", "").strip())
    except ServiceError as error:
        return render_template("admin/tokens.html", tokens=admin.list_tokens(actor=me()),
                               holders=admin.token_holders(actor=me()), issued=None, problems=problems_of(error),
                               integration_role=True), 422
    flash(f"Integration account {account.email} created; issue it a token below.")
    return redirect(url_for("admin.tokens"))


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(policy.can_manage_integrations)
def revoke_token(token_id):
    """Revoke a token."""
    if not admin.revoke_token(actor=me(), token_id=token_id):
        abort(404)
    flash("Token revoked.")
    return redirect(url_for("admin.tokens"))


# ---- audit trail ---------------------------------------------------------------------------

AUDIT_FILTERS = ("action", "object_type", "object_id", "outcome", "category")


def audit_filters() -> dict:
    """Filters from the query string: exact fields, a user's email, and local dates as UTC bounds."""
    filters = {name: request.args[name].strip() for name in AUDIT_FILTERS if request.args.get(name, "").strip()}
    problems = []
    email = request.args.get("email", "").strip()
    if email:
        found = admin.find_agency_user(actor=me(), email=email)
        filters["user_id"] = found.id if found else -1
    for name, bound in (("since", time.min), ("until", time.max)):
        value = request.args.get(name, "").strip()
        if value:
            try:
                filters[name] = datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), bound, timezone.utc)
            except ValueError:
                problems.append(f"{name}: use a date such as 2026-03-01.")
    return filters, problems


@bp.route("/admin/audit")
@requires(policy.can_read_audit)
def audit():
    """The audit trail with filters, newest first."""
    filters, problems = audit_filters()
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() and int(request.args["page"]) > 0 else 1
    events, total = ([], 0) if problems else audit_query.search_events(actor=me(), filters=filters, page=page,
                                                                       per_page=50)
    return render_template("admin/audit.html", events=events, total=total, page=page, problems=problems,
                           args=request.args, categories=audit_query.CATEGORIES), 422 if problems else 200


@bp.route("/admin/audit.csv")
@requires(policy.can_read_audit)
def audit_csv():
    """The filtered audit trail as CSV (formula-looking cells defused)."""
    filters, problems = audit_filters()
    if problems:
        abort(422, "; ".join(problems))
    body, count = audit_query.export_csv(actor=me(), filters=filters)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-events.csv"', "X-Row-Count": str(count)})


# ---- everyone: own sessions, account links -------------------------------------------------

@bp.route("/account/sessions")
@requires(policy.can_manage_own_sessions)
def my_sessions():
    """Your signed-in devices, with this one marked."""
    current = sessions.current(user=me(), key=session.get(sessions.COOKIE_ENTRY))
    return render_template("admin/my_sessions.html", devices=sessions.list_open(user=me()),
                           current_id=current.id if current else None)


@bp.route("/account/sessions/end", methods=["POST"])
@requires(policy.can_manage_own_sessions)
def end_my_sessions():
    """Sign out one device (session_id), or every other device (scope=others), or all (scope=all)."""
    mine = me()
    key = session.get(sessions.COOKIE_ENTRY)
    if request.form.get("session_id"):
        sessions.end(user=mine, session_id=integer(request.form["session_id"], "session_id"), actor=mine,
                     reason="ended_by_user")
        flash("Signed out on that device.")
    else:
        keep = key if request.form.get("scope") == "others" else None
        ended = sessions.end_all(user=mine, actor=mine, reason="ended_by_user", except_key=keep)
        flash(f"Signed out on {ended} device{'s' if ended != 1 else ''}.")
    return redirect(url_for("admin.my_sessions"))


@bp.route("/account/link/<token>", methods=["GET", "POST"])
def account_link(token):
    """Accept an invitation or complete a password reset: choose a password, then log in."""
    link = admin.open_link(token)
    if link is None:
        return render_template("admin/link_invalid.html"), 404
    problems, status = [], 200
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password_again", ""):
            problems, status = ["The two passwords differ."], 422
        else:
            try:
                admin.use_link(token=token, password=password, display_name=request.form.get("display_name", "").strip())
                flash("Your password is set. Log in with it now.")
                return redirect(url_for("auth.login"))
            except ServiceError as error:
                if error.status == 404:
                    return render_template("admin/link_invalid.html"), 404
                problems, status = problems_of(error), 422
    return render_template("admin/link_accept.html", link=link, problems=problems), status

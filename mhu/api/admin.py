"""Administration for scripting: the agency's settings, users, invitations, teams, integration
tokens and users' sessions (the audit trail is at /api/v1/audit). Administrators only, except
teams, which supervisors manage too. Nothing here returns clinical content."""

from flask import abort, url_for
from flask import session as flask_session
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors, or_404
from mhu.auth import policy, requires
from mhu.services import ServiceError, admin, agency_settings, sessions
from schemas.admin import (
    AdminTokenCreatedSchema, AdminTokenSchema, AdminUserSchema, AdminUserUpdateSchema, AgencySettingsSchema,
    AgencySettingsUpdateSchema, EndedSchema, IntegrationCreateSchema, InvitationCreatedSchema, InvitationCreateSchema, InvitationSchema,
    PasswordResetSchema, SessionSchema, TeamCreateSchema, TeamSchema, TeamUpdateSchema, TokenCreateSchema,
)

blp = Blueprint("admin_api", __name__, url_prefix="/api/v1/admin", description="Administration of the agency")
me_blp = Blueprint("my_sessions", __name__, url_prefix="/api/v1/me/sessions", description="Your signed-in devices")


def link_url(token: str) -> str:
    return url_for("admin.account_link", token=token, _external=True)


def session_rows(records, current_id=None) -> list[dict]:
    return [{"id": r.id, "created_at": r.created_at, "last_seen_at": r.last_seen_at, "user_agent": r.user_agent,
             "source_ip": r.source_ip, "current": r.id == current_id} for r in records]


@blp.route("/settings")
class Settings(MethodView):
    @requires(policy.can_manage_agency_settings)
    @blp.response(200, AgencySettingsSchema)
    @documented_errors(blp, 401, 403)
    def get(self):
        """The agency's settings, with the deployment's defaults filled in."""
        return agency_settings.settings_of(actor().agency)

    @requires(policy.can_manage_agency_settings)
    @blp.arguments(AgencySettingsUpdateSchema)
    @blp.response(200, AgencySettingsSchema)
    @documented_errors(blp, 401, 403, 422)
    def patch(self, changes):
        """Change settings; null for a number restores the default. Audited as configuration changes."""
        agency = agency_settings.update_settings(actor=actor(), changes=changes)
        return agency_settings.settings_of(agency)


@blp.route("/users")
@requires(policy.can_manage_users)
@blp.response(200, AdminUserSchema(many=True))
@documented_errors(blp, 401, 403)
def users_list():
    """The agency's accounts."""
    return admin.list_users(actor=actor())


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @requires(policy.can_manage_users)
    @blp.response(200, AdminUserSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, user_id):
        """One account."""
        return or_404(admin.get_user(actor=actor(), user_id=user_id))

    @requires(policy.can_manage_users)
    @blp.arguments(AdminUserUpdateSchema)
    @blp.response(200, AdminUserSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def patch(self, changes, user_id):
        """Change role, active, display name, CIT level or teams; role and active changes sign the user out."""
        user = or_404(admin.get_user(actor=actor(), user_id=user_id))
        return admin.update_user(actor=actor(), user=user, changes=changes)


@blp.route("/users/<int:user_id>/unlock", methods=["POST"])
@requires(policy.can_manage_users)
@blp.response(204)
@documented_errors(blp, 401, 403, 404)
def user_unlock(user_id):
    """Lift a lockout after failed logins."""
    admin.unlock(actor=actor(), user=or_404(admin.get_user(actor=actor(), user_id=user_id)))


@blp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires(policy.can_manage_users)
@blp.response(201, PasswordResetSchema)
@documented_errors(blp, 401, 403, 404)
def user_password_reset(user_id):
    """Void the password, sign the user out everywhere, and return a one-time reset link to hand over."""
    user = or_404(admin.get_user(actor=actor(), user_id=user_id))
    token = admin.force_password_reset(actor=actor(), user=user)
    link = admin.open_link(token)
    return {"token": token, "url": link_url(token), "expires_at": link.expires_at}


@blp.route("/users/<int:user_id>/sessions")
class UserSessions(MethodView):
    @requires(policy.can_manage_users)
    @blp.response(200, SessionSchema(many=True))
    @documented_errors(blp, 401, 403, 404)
    def get(self, user_id):
        """The user's signed-in devices."""
        user = or_404(admin.get_user(actor=actor(), user_id=user_id))
        return session_rows(sessions.list_open(user=user))

    @requires(policy.can_manage_users)
    @blp.response(200, EndedSchema)
    @documented_errors(blp, 401, 403, 404)
    def delete(self, user_id):
        """Sign the user out on every device."""
        user = or_404(admin.get_user(actor=actor(), user_id=user_id))
        return {"ended": admin.end_user_sessions(actor=actor(), user=user)}


@blp.route("/users/<int:user_id>/sessions/<int:session_id>", methods=["DELETE"])
@requires(policy.can_manage_users)
@blp.response(204)
@documented_errors(blp, 401, 403, 404)
def user_session_end(user_id, session_id):
    """Sign the user out on one device."""
    user = or_404(admin.get_user(actor=actor(), user_id=user_id))
    if not admin.end_user_sessions(actor=actor(), user=user, session_id=session_id):
        abort(404, "No such open session.")


@blp.route("/invitations")
class Invitations(MethodView):
    @requires(policy.can_manage_users)
    @blp.response(200, InvitationSchema(many=True))
    @documented_errors(blp, 401, 403)
    def get(self):
        """Pending invitations."""
        return admin.pending_invitations(actor=actor())

    @requires(policy.can_manage_users)
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationCreatedSchema)
    @documented_errors(blp, 401, 403, 422)
    def post(self, data):
        """Invite someone: a one-time link (valid ACCOUNT_LINK_TTL) to choose a password and sign in."""
        token, link = admin.invite(actor=actor(), email=data["email"], role=data["role"], team_ids=data["team_ids"])
        return {"id": link.id, "email": link.email, "role": link.role, "team_ids": link.team_ids or [],
                "created_at": link.created_at, "expires_at": link.expires_at, "token": token, "url": link_url(token)}


@blp.route("/invitations/<int:link_id>", methods=["DELETE"])
@requires(policy.can_manage_users)
@blp.response(204)
@documented_errors(blp, 401, 403, 404)
def invitation_revoke(link_id):
    """Withdraw an invitation."""
    if not admin.revoke_invitation(actor=actor(), link_id=link_id):
        abort(404, "No such invitation.")


@blp.route("/teams")
class Teams(MethodView):
    @requires(policy.can_manage_teams)
    @blp.response(200, TeamSchema(many=True))
    @documented_errors(blp, 401, 403)
    def get(self):
        """The agency's teams with their members."""
        from mhu.services import agencies

        return agencies.list_teams(actor=actor())

    @requires(policy.can_manage_teams)
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    @documented_errors(blp, 401, 403, 422)
    def post(self, data):
        """Create a team."""
        return admin.create_team(actor=actor(), name=data["name"], kind=data["kind"])


@blp.route("/teams/<int:team_id>")
class TeamItem(MethodView):
    @requires(policy.can_manage_teams)
    @blp.response(200, TeamSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, team_id):
        """One team."""
        return or_404(admin.get_team(actor=actor(), team_id=team_id))

    @requires(policy.can_manage_teams)
    @blp.arguments(TeamUpdateSchema)
    @blp.response(200, TeamSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def patch(self, changes, team_id):
        """Rename, change kind, (de)activate, or set the members (member_ids replaces the list)."""
        team = or_404(admin.get_team(actor=actor(), team_id=team_id))
        return admin.update_team(actor=actor(), team=team, changes=changes)


@blp.route("/integrations", methods=["POST"])
@requires(policy.can_manage_integrations)
@blp.arguments(IntegrationCreateSchema)
@blp.response(201, AdminUserSchema)
@documented_errors(blp, 401, 403, 422)
def integrations(data):
    """Create an integration (service) account: no password, it holds tokens issued here."""
    return admin.create_integration_account(actor=actor(), email=data["email"], display_name=data["display_name"])


@blp.route("/tokens")
class Tokens(MethodView):
    @requires(policy.can_manage_integrations)
    @blp.response(200, AdminTokenSchema(many=True))
    @documented_errors(blp, 401, 403)
    def get(self):
        """Valid tokens issued to integration accounts."""
        return admin.list_tokens(actor=actor())

    @requires(policy.can_manage_integrations)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, AdminTokenCreatedSchema)
    @documented_errors(blp, 401, 403, 422)
    def post(self, data):
        """Issue a token for an integration account; the token is in this answer only."""
        user = admin.get_user(actor=actor(), user_id=data["user_id"])
        if user is None:
            raise ServiceError("Unknown account.", {"user_id": ["Not an account of your agency."]})
        token, record = admin.issue_token(actor=actor(), user=user, label=data["label"], days=data["days"])
        return {"id": record.id, "user_id": user.id, "label": record.label, "created_at": record.created_at,
                "expires_at": record.expires_at, "last_used_at": None, "access_token": token}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@requires(policy.can_manage_integrations)
@blp.response(204)
@documented_errors(blp, 401, 403, 404)
def token_revoke(token_id):
    """Revoke a token."""
    if not admin.revoke_token(actor=actor(), token_id=token_id):
        abort(404, "No such token.")



@me_blp.route("")
class MySessions(MethodView):
    @requires(policy.can_manage_own_sessions)
    @me_blp.response(200, SessionSchema(many=True))
    @documented_errors(me_blp, 401)
    def get(self):
        """Your signed-in browsers (device, last seen); `current` marks this one."""
        mine = actor()
        current = sessions.current(user=mine, key=flask_session.get(sessions.COOKIE_ENTRY))
        return session_rows(sessions.list_open(user=mine), current.id if current else None)

    @requires(policy.can_manage_own_sessions)
    @me_blp.response(200, EndedSchema)
    @documented_errors(me_blp, 401)
    def delete(self):
        """Sign out every device, this one included."""
        mine = actor()
        return {"ended": sessions.end_all(user=mine, actor=mine, reason="ended_by_user")}


@me_blp.route("/<int:session_id>", methods=["DELETE"])
@requires(policy.can_manage_own_sessions)
@me_blp.response(204)
@documented_errors(me_blp, 401, 404)
def my_session_end(session_id):
    """Sign out one of your devices."""
    mine = actor()
    if not sessions.end(user=mine, session_id=session_id, actor=mine, reason="ended_by_user"):
        abort(404, "No such open session.")

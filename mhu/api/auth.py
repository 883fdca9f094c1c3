"""Tokens for scripts and integrations, and who am I."""

from flask import abort, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.auth import bearer_token, policy, requires
from mhu.services import agencies, users
from schemas.auth import MeSchema, TeamReadSchema, TokenRequestSchema, TokenSchema

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Authentication and the current user")


def any_user(_user) -> bool:
    return True


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @documented_errors(blp, 401, 429)
    def post(self, credentials):
        """Exchange email and password (and `otp` where the account has a second factor) for a bearer token."""
        try:
            user = users.authenticate(email=credentials["email"], password=credentials["password"],
                                      otp=credentials.get("otp"))
        except users.SecondFactorRequired:
            response = jsonify(code=401, status="Unauthorized", mfa_required=True,
                               message="This account has a second factor: send `otp` with the current code.")
            response.status_code = 401
            return response
        if user is None:
            abort(401, "Email or password is not correct, or the account is locked.")
        token, expires_in = users.issue_token(user=user)
        return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}

    @requires(any_user)
    @blp.response(204)
    @documented_errors(blp, 401)
    def delete(self):
        """Revoke the bearer token sent with this request."""
        token = bearer_token()
        if token is None or not users.revoke_token(token=token, actor=actor()):
            abort(401, "Send the bearer token to revoke in the Authorization header.")


@blp.route("/me")
@requires(policy.reads_data)
@blp.response(200, MeSchema)
@documented_errors(blp, 401)
def me():
    """The current user with role, agency and teams."""
    return actor()


@blp.route("/teams")
@requires(policy.reads_data)
@blp.response(200, TeamReadSchema(many=True))
@documented_errors(blp, 401)
def teams():
    """The teams of the current user's agency."""
    return agencies.list_teams(actor=actor())

"""Second factor: set up an authenticator for yourself; administrators reset a lost one."""

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.extensions import db
from mhu.models import User
from mhu.services import mfa
from schemas.auth import TotpConfirmSchema, TotpEnrolmentSchema

blp = Blueprint("mfa_api", __name__, url_prefix="/api/v1", description="Multi-factor authentication")


@blp.route("/me/mfa/totp")
class TotpEnrolment(MethodView):
    @requires(policy.reads_data)
    @blp.response(201, TotpEnrolmentSchema)
    @documented_errors(blp, 401, 409)
    def post(self):
        """Start setting up an authenticator app: its secret, otpauth URI and ten recovery codes
        (shown once). The factor is pending until confirmed with a first code."""
        return mfa.begin_totp(user=actor())


@blp.route("/me/mfa/totp/confirm")
class TotpConfirm(MethodView):
    @requires(policy.reads_data)
    @blp.arguments(TotpConfirmSchema)
    @blp.response(204)
    @documented_errors(blp, 401, 409, 422)
    def post(self, data):
        """Confirm the pending authenticator with its current code; from now on logins ask for a code."""
        mfa.confirm_totp(user=actor(), code=data["code"])


@blp.route("/admin/users/<int(signed=False):user_id>/mfa")
class UserMfa(MethodView):
    @requires(policy.can_manage_users)
    @blp.response(204)
    @documented_errors(blp, 401, 403, 404)
    def delete(self, user_id):
        """Reset a user's authenticator and recovery codes (lost phone); their sessions end. Audited."""
        user = db.session.get(User, user_id)
        if user is None or user.agency_id != actor().agency_id:
            abort(404)
        mfa.reset(user=user, actor=actor())

"""The CIT training roster: supervisors and administrators record, list and remove courses."""

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import training
from mhu.services.metrics import training as training_metrics
from schemas.training import (
    CoverageQuerySchema, CoverageSchema, TrainingCreateSchema, TrainingQuerySchema, TrainingReadSchema,
)

blp = Blueprint("training", __name__, url_prefix="/api/v1/training",
                description="CIT training roster (supervisors and administrators)")

maintainers = requires(policy.can_maintain_training)


@blp.route("")
class TrainingCollection(MethodView):
    @maintainers
    @blp.arguments(TrainingQuerySchema, location="query")
    @blp.response(200, TrainingReadSchema(many=True))
    @documented_errors(blp, 401, 403, 422)
    def get(self, query):
        """The agency's training records, newest first (optionally one officer's)."""
        return training.list_training(actor=actor(), user_id=query.get("user_id"))

    @maintainers
    @blp.arguments(TrainingCreateSchema)
    @blp.response(201, TrainingReadSchema)
    @documented_errors(blp, 401, 403, 409, 422)
    def post(self, data):
        """Record a completed course for an officer or supervisor of the agency."""
        user_id = data.pop("user_id")
        return training.create_training(actor=actor(), user_id=user_id, data=data)


@blp.route("/<int:training_id>")
class TrainingItem(MethodView):
    @maintainers
    @blp.response(204)
    @documented_errors(blp, 401, 403, 404)
    def delete(self, training_id):
        """Remove a training record (entered by mistake)."""
        if not training.delete_training(actor=actor(), training_id=training_id):
            from flask import abort

            abort(404, "No such record.")


@blp.route("/coverage")
@maintainers
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
@documented_errors(blp, 401, 403, 422)
def coverage(query):
    """Share of the agency's sworn officers with the required CIT hours as of a date."""
    as_of = query.get("as_of") or date.today()
    return {"as_of": as_of, "hours_required": training_metrics.CIT_HOURS_REQUIRED,
            "cit_trained_officers": training_metrics.cit_trained_officers(agency_id=actor().agency_id, as_of=as_of)}

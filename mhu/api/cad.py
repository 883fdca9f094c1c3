"""The CAD feed: `integration` service accounts post incidents; they can read nothing."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_load

from mhu.api.common import actor, documented_errors
from mhu.auth import policy, requires
from mhu.services import cad
from schemas.common import StrictSchema

blp = Blueprint("cad", __name__, url_prefix="/api/v1/cad", description="Live CAD feed (integration accounts only)")


class IncidentSchema(StrictSchema):
    """`{"profile": ..., "incident": {...}}`, or the incident itself as the whole body.

    Many CAD bridges post the record as it is; a body without `incident` is taken as the incident,
    and a text `profile` key in it names the profile (no MHU field and no plausible CAD column is
    called that)."""

    profile = fields.String(load_default=None, metadata={
        "description": "Name of a stored (or shipped) mapping profile; omit to send MHU field names"})
    incident = fields.Dict(required=True, metadata={
        "description": "The incident: source columns of the profile, or MHU call fields keyed on incident_number. "
                       "The body may also be the incident itself, with an optional text `profile` key"})

    @pre_load
    def take_a_bare_incident(self, data, **kwargs):
        if not isinstance(data, dict) or "incident" in data:
            return data
        incident = dict(data)
        profile = incident.pop("profile") if isinstance(incident.get("profile"), str) else None
        return {"profile": profile, "incident": incident}


class IncidentResultSchema(Schema):
    id = fields.UUID()
    created = fields.Boolean()


@blp.route("/incidents", methods=["POST"])
@requires(policy.can_post_cad_incidents)
@blp.arguments(IncidentSchema)
@blp.response(200, IncidentResultSchema)
@blp.alt_response(201, schema=IncidentResultSchema, description="A new call was created")
@documented_errors(blp, 401, 403, 422)
def incidents(body):
    """Create or update (idempotent on the incident's key) an open call for the account's team."""
    call, created = cad.post_incident(actor=actor(), incident=body["incident"], profile_name=body["profile"])
    return {"id": call.id, "created": created}, 201 if created else 200

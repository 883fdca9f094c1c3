"""Demographic tables: identified (scoped) counts for supervisors and field roles, suppressed
calls-only tables for partners (with the SIM intercept table, suppressed with them)."""

from marshmallow import RAISE
from flask_smorest import Blueprint

from mhu.api.common import actor, documented_errors
from mhu.api.metrics import filters_from
from mhu.auth import policy, requires
from mhu.services import audit
from mhu.services.metrics import demographics
from schemas.metrics import DemographicsSchema, MetricsQuerySchema, PartnerDemographicsSchema, PartnerQuerySchema

blp = Blueprint("demographics", __name__, url_prefix="/api/v1/metrics",
                description="Calls and persons by race/ethnicity, sex and age band (equity reporting)")
partner_blp = Blueprint("partner_demographics", __name__, url_prefix="/api/v1/partner/metrics",
                        description="Suppressed calls by race/ethnicity, sex, age band and SIM intercept")


@blp.route("/demographics")
@requires(policy.can_view_identified_dashboards)
@blp.arguments(MetricsQuerySchema, location="query", unknown=RAISE)
@blp.response(200, DemographicsSchema)
@documented_errors(blp, 401, 403, 422)
def demographic_tables(query):
    """Calls and unduplicated persons by race/ethnicity (OMB categories), sex and age band at the call."""
    return demographics.demographics(filters=filters_from(query))


@partner_blp.route("/demographics")
@requires(policy.can_view_partner_dashboard)
@partner_blp.arguments(PartnerQuerySchema, location="query", unknown=RAISE)
@partner_blp.response(200, PartnerDemographicsSchema)
@documented_errors(partner_blp, 401, 403, 422)
def partner_demographic_tables(query):
    """Calls per period by race/ethnicity, sex, age band and SIM intercept for one whole month,
    quarter or year, suppressed together with the district table."""
    user = actor()
    result = demographics.partner_tables(agency_id=user.agency_id, date_from=query.get("date_from"),
                                         date_to=query.get("date_to"))
    audit.record(action="partner.demographics", actor=user, object_type="metrics", commit=True)
    return result

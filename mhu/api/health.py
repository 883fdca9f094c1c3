"""Liveness and database reachability, without auth (for load balancers and monitors)."""

import sqlalchemy as sa
from flask_smorest import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from mhu.extensions import db
from schemas.auth import HealthSchema

blp = Blueprint("health", __name__, url_prefix="/", description="Service health")


@blp.route("/healthz")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database is not reachable")
def healthz():
    """Report whether the database answers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return {"status": "ok", "database": "ok"}
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "degraded", "database": "unreachable"}, 503

"""The demo unit gives the Evaluation page something real to show."""

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Agency
from mhu.services import evaluation
from mhu.services.demo import generate_demo
from mhu.services.demo import vocab as V
from mhu.services.metrics import MetricFilters
from tests.factories import at


def test_demo_has_patrol_calls_reasons_handoffs_costs_and_a_program_start():
    generate_demo(calls=600, seed=5, now=at(), password="demo pass phrase for tests")
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == V.AGENCY_NAME))
    filters = MetricFilters(agency_id=agency.id, date_from=at().date().replace(year=2024), date_to=at().date())

    funnel = evaluation.funnel(filters=filters)
    reasons = {row["reason"]: row["count"] for row in funnel["reasons"]}
    assert funnel["configured"] and funnel["stages"][3]["count"] > 0 and funnel["not_taken"] > 0
    assert reasons["no_unit_available"] > 0 and reasons["outside_hours"] > 0
    assert evaluation.handoff_times(filters=filters)["facilities"]
    assert evaluation.avoided(filters=filters)["total_cost"]["central"] > 0
    assert evaluation.before_after(agency_id=agency.id, days=90)["configured"]
    assert evaluation.like_with_like(filters=filters)["groups"]["patrol_only"] > 0

"""The Evaluation page: supervisors only, the hand-counted funnel on the page, the drill-down list."""

import json

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from tests.dashboards.test_guard import router_request
from tests.factories import login
from tests.services.evaluation.conftest import evaluation_unit, funnel_calls  # noqa: F401 (fixtures)


def test_supervisor_sees_the_funnel_reasons_and_panels(client, evaluation_unit, funnel_calls):
    login(client, evaluation_unit[2]["supervisor"])
    assert client.get("/dashboard/evaluation").status_code == 200

    response = router_request(client, "/dashboard/evaluation")

    text = json.dumps(response.json, ensure_ascii=False)
    assert response.status_code == 200
    for needle in ("Eligibility funnel", "Why in-scope calls were not taken", "Coverage gaps by hour and weekday",
                   "not causal estimates", "What it saved", "Hand-off time", "Unit requested"):
        assert needle in text, needle


@pytest.mark.parametrize("role", ["officer", "clinician"])
def test_field_roles_are_refused_the_page(client, evaluation_unit, role):
    login(client, evaluation_unit[2][role])
    client.get("/dashboard/")

    assert router_request(client, "/dashboard/evaluation").status_code == 403


def test_admin_is_refused_the_page(client, evaluation_unit):
    login(client, evaluation_unit[2]["admin"])

    assert client.get("/dashboard/evaluation").status_code == 403


def test_partner_hand_made_request_for_the_page_is_403(client, evaluation_unit):
    login(client, evaluation_unit[2]["partner"])
    client.get("/dashboard/partner")

    assert router_request(client, "/dashboard/evaluation").status_code == 403


def test_anonymous_router_request_is_401(client):
    assert router_request(client, "/dashboard/evaluation").status_code == 401


def test_drill_down_lists_the_calls_of_a_reason_and_is_audited(client, evaluation_unit, funnel_calls):
    login(client, evaluation_unit[2]["supervisor"])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/evaluation",
                              "?from=2026-03-01&to=2026-03-31&stage=not_taken&reason=outside_hours")

    text = json.dumps(response.json, ensure_ascii=False)
    assert "eval-drill-table" in text and str(funnel_calls["weekend"].id) in text
    assert str(funnel_calls["busy"].id) not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "call.list")) == 1


def test_an_invalid_stage_is_noted_not_an_error(client, evaluation_unit):
    login(client, evaluation_unit[2]["supervisor"])
    client.get("/dashboard/")

    response = router_request(client, "/dashboard/evaluation", "?stage=everything")

    assert response.status_code == 200 and b"stage=everything" in response.data

"""The supervisors' survey page and the survey table of the partner view."""

from datetime import date

import pytest

from mhu.extensions import db
from mhu.models import SurveyResponse
from tests.dashboards.test_guard import router_request
from tests.factories import login


@pytest.fixture
def people(make):
    agency, team, people = make.unit()
    for score in [5] * 12 + [4] * 2:
        db.session.add(SurveyResponse(agency_id=agency.id, team_id=team.id, month=date(2026, 3, 1), respected=score))
    db.session.commit()
    return people


def test_supervisor_sees_answers_means_and_distribution(client, people):
    login(client, people["supervisor"])
    assert client.get("/dashboard/surveys").status_code == 200

    response = router_request(client, "/dashboard/surveys")

    assert response.status_code == 200
    assert b"Mean score per question" in response.data and b"The team treated me with respect." in response.data
    assert b"4.86" in response.data  # (12 x 5 + 2 x 4) / 14


@pytest.mark.parametrize("role", ["officer", "clinician"])
def test_field_roles_are_refused_the_survey_page(client, people, role):
    login(client, people[role])
    client.get("/dashboard/")

    # The page shell holds no data (dashboards/access.py); its content comes from the guarded router.
    response = router_request(client, "/dashboard/surveys")
    assert response.status_code == 403 and b"respect" not in response.data


def test_partners_and_admins_are_refused_the_survey_page(client, people):
    login(client, people["partner"])
    client.get("/dashboard/partner")
    assert router_request(client, "/dashboard/surveys").status_code == 403
    client.post("/logout", data={"csrf_token": "test-csrf"})
    login(client, people["admin"])
    assert client.get("/dashboard/surveys").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/dashboard/surveys")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_partner_view_shows_the_survey_table_with_hidden_cells_as_less_than_threshold(client, people):
    login(client, people["partner"])
    client.get("/dashboard/partner")

    response = router_request(client, "/dashboard/partner")

    assert response.status_code == 200
    assert b"What people served say" in response.data and b"\\u003c11" in response.data

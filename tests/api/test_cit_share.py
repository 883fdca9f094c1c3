"""The CIT coverage series: per month, calls with a CIT-trained officer on scene and sworn officers
with 40 CIT hours; supervisors only."""

import pytest
from dateutil.relativedelta import relativedelta

from mhu.services.localtime import agency_today
from tests.factories import add_call, utc

COURSE = {"course": "CIT 40-hour basic", "hours": 40, "completed_on": "2026-02-10", "certifying_body": "State POST"}


def test_monthly_points_count_calls_and_officers(api, make):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE})
    add_call(people["officer"], utc(2026, 1, 5, 15), cit_officer_on_scene=True)
    add_call(people["officer"], utc(2026, 1, 6, 15))
    add_call(people["officer"], utc(2026, 1, 7, 15), disposition="unable_to_locate", cit_officer_on_scene=True)
    add_call(people["officer"], utc(2026, 3, 7, 15), cit_officer_on_scene=True)

    response = client.get("/api/v1/metrics/cit-share?from=2026-01-01&to=2026-03-31")

    assert response.status_code == 200
    assert response.json == [
        {"month": "2026-01", "calls": 2, "calls_with_cit_officer": 1, "share": 0.5,
         "sworn_officers": 2, "sworn_with_40h": 0, "officer_share": 0.0},
        {"month": "2026-02", "calls": 0, "calls_with_cit_officer": 0, "share": None,
         "sworn_officers": 2, "sworn_with_40h": 1, "officer_share": 0.5},
        {"month": "2026-03", "calls": 1, "calls_with_cit_officer": 1, "share": 1.0,
         "sworn_officers": 2, "sworn_with_40h": 1, "officer_share": 0.5},
    ]


def test_default_is_the_last_twelve_whole_months(api, make):
    agency, _, people = make.unit()

    body = api(people["supervisor"]).get("/api/v1/metrics/cit-share").json

    current = agency_today(agency.id).replace(day=1)
    assert [point["month"] for point in body] == [f"{current - relativedelta(months=n):%Y-%m}" for n in range(12, 0, -1)]


@pytest.mark.parametrize("role", ["officer", "clinician", "partner", "admin"])
def test_other_roles_are_refused(api, make, role):
    _, _, people = make.unit()
    user = people.get(role) or make.user(role, people["officer"].agency)

    assert api(user).get("/api/v1/metrics/cit-share").status_code == 403


@pytest.mark.parametrize("query, field", [("from=2026-05-01&to=2026-01-31", "to"), ("from=2026-13-01", "from"),
                                          ("from=2000-01-01&to=2026-01-31", "from"), ("month=3", "month")])
def test_bad_queries_are_422_naming_the_field(api, make, query, field):
    _, _, people = make.unit()

    response = api(people["supervisor"]).get(f"/api/v1/metrics/cit-share?{query}")

    assert response.status_code == 422 and field in str(response.json), response.json

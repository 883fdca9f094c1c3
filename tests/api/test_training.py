"""The CIT training roster API: supervisors and administrators record, list and remove courses."""

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent

COURSE = {"course": "CIT 40-hour basic", "hours": 40, "completed_on": "2026-02-10", "certifying_body": "State POST"}


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_maintainers_record_list_and_remove_training(api, make, role):
    _, _, people = make.unit()
    client = api(people[role])

    created = client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE})
    listed = client.get(f"/api/v1/training?user_id={people['officer'].id}")
    removed = client.delete(f"/api/v1/training/{created.json['id']}")

    assert created.status_code == 201 and created.json["officer_email"] == people["officer"].email
    assert [row["course"] for row in listed.json] == ["CIT 40-hour basic"]
    assert removed.status_code == 204 and client.get("/api/v1/training").json == []
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("training.%"))).all()
    assert sorted(actions) == ["training.create", "training.delete"]


def test_coverage_counts_officers_with_forty_hours(api, make):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE})

    body = client.get("/api/v1/training/coverage?as_of=2026-03-01").json

    assert body["cit_trained_officers"] == {"numerator": 1, "denominator": 2, "value": 0.5}  # officer, supervisor


@pytest.mark.parametrize("field, value, message", [
    ("hours", 0, "hours"), ("completed_on", "2026-02-30", "completed_on"), ("course", "", "course"),
    ("completed_on", "2999-01-01", "completed_on"),
])
def test_bad_training_fields_are_422_with_the_field_named(api, make, field, value, message):
    _, _, people = make.unit()

    response = api(people["supervisor"]).post("/api/v1/training",
                                              json={"user_id": people["officer"].id, **COURSE, field: value})

    assert response.status_code == 422 and message in str(response.json["errors"])


def test_training_is_for_sworn_members_of_the_own_agency(api, make):
    _, _, people = make.unit()
    _, _, others = make.unit()
    client = api(people["supervisor"])

    clinician = client.post("/api/v1/training", json={"user_id": people["clinician"].id, **COURSE})
    foreign = client.post("/api/v1/training", json={"user_id": others["officer"].id, **COURSE})
    theirs = api(others["supervisor"]).post("/api/v1/training", json={"user_id": others["officer"].id, **COURSE})

    assert clinician.status_code == 422 and foreign.status_code == 422
    assert client.delete(f"/api/v1/training/{theirs.json['id']}").status_code == 404


def test_the_same_course_twice_is_409(api, make):
    _, _, people = make.unit()
    client = api(people["supervisor"])
    client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE})

    assert client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE}).status_code == 409


@pytest.mark.parametrize("role", ["officer", "clinician", "partner"])
def test_other_roles_are_refused_the_roster(api, make, role):
    _, _, people = make.unit()
    client = api(people[role])

    assert client.get("/api/v1/training").status_code == 403
    assert client.post("/api/v1/training", json={"user_id": people["officer"].id, **COURSE}).status_code == 403
    assert client.get("/api/v1/training/coverage").status_code == 403

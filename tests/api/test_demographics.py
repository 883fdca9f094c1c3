"""Demographics on persons (optional, validated per field) and the supervisors' aggregate tables."""

import pytest

PERSON = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1990-05-20"}


def test_person_created_without_demographics_reads_not_recorded(make, api):
    _, _, people = make.unit()

    body = api(people["officer"]).post("/api/v1/persons", json=PERSON).json

    assert body["sex"] == "not_recorded"
    assert body["race_ethnicity"] == []


def test_person_takes_several_race_categories_and_a_sex(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])

    created = officer.post("/api/v1/persons", json={
        **PERSON, "sex": "female", "race_ethnicity": ["white", "hispanic_or_latino", "white"]})
    read = officer.get(f"/api/v1/persons/{created.json['id']}").json

    assert created.status_code == 201, created.json
    assert read["sex"] == "female"
    assert read["race_ethnicity"] == ["hispanic_or_latino", "white"]


def test_bad_demographic_values_get_a_message_per_field(make, api):
    _, _, people = make.unit()

    response = api(people["officer"]).post("/api/v1/persons", json={
        **PERSON, "sex": "unknown", "race_ethnicity": ["white", "martian"]})

    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert set(errors) == {"sex", "race_ethnicity"}
    assert "1" in errors["race_ethnicity"]  # the position of the bad entry


def test_patch_replaces_race_categories_and_empty_list_means_not_recorded(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    created = officer.post("/api/v1/persons", json={**PERSON, "race_ethnicity": ["asian"]})
    etag = created.headers["ETag"]

    changed = officer.patch(f"/api/v1/persons/{created.json['id']}", json={"race_ethnicity": ["black_or_african_american"]},
                            headers={"If-Match": etag})
    cleared = officer.patch(f"/api/v1/persons/{created.json['id']}", json={"race_ethnicity": []},
                            headers={"If-Match": changed.headers["ETag"]})

    assert changed.json["race_ethnicity"] == ["black_or_african_american"]
    assert cleared.status_code == 200 and cleared.json["race_ethnicity"] == []


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_demographics_metrics_refuse_roles_without_identified_dashboards(make, api, role):
    _, _, people = make.unit()

    response = api(people[role]).get("/api/v1/metrics/demographics?from=2026-03-01&to=2026-03-31")

    assert response.status_code == 403


def test_demographics_metrics_need_a_login(client):
    assert client.get("/api/v1/metrics/demographics").status_code == 401

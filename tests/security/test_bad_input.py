"""Bad input answers 4xx with a message, never a server error: the outside probe's reproductions."""


import pytest

from tests.factories import call_payload, login

INT32_MAX = 2**31 - 1
NESTED = "[" * 5000 + "]" * 5000


def _refused(response, *statuses):
    assert response.status_code in (statuses or (400, 404, 422)), (response.status_code, response.get_data(as_text=True)[:300])
    return response


@pytest.fixture
def people(make):
    _, team, people = make.unit()
    return team, people


@pytest.mark.parametrize("query", [
    "to=0001-01-01", "from=9999-12-31", "from=0001-01-01&to=0001-01-31", "from=1899-12-31",
    "to=2101-01-01", "team_id=2147483648", "district=a%00b",
])
@pytest.mark.parametrize("path", ["/api/v1/metrics/summary", "/api/v1/metrics/series", "/api/v1/calls"])
def test_query_bounds_are_refused_with_a_message(people, api, path, query):
    _, staff = people
    response = _refused(api(staff["supervisor"]).get(f"{path}?{query}"))
    assert response.json["message"]


@pytest.mark.parametrize("query", ["to=0001-01-01", "from=9999-12-31", "district=%00"])
def test_partner_query_bounds_are_refused(people, api, query):
    _, staff = people
    _refused(api(staff["supervisor"]).get(f"/api/v1/partner/metrics/outcomes?{query}"))


@pytest.mark.parametrize("change", [
    {"received_at": "0001-01-01T00:00:00+14:00"},
    {"cleared_at": "9999-12-31T23:59:59-14:00"},
    {"received_at": "1899-12-31T23:00:00+00:00"},
    {"team_id": 2147483648},
    {"district": "North\x00"},
    {"narrative": "a\ud800b"},
])
def test_call_bodies_out_of_bounds_are_refused_per_field(people, api, change):
    team, staff = people
    body = call_payload(team_id=team.id) | change
    response = _refused(api(staff["officer"]).post("/api/v1/calls", json=body), 400, 422)
    if response.status_code == 422:
        assert set(response.json["errors"]["json"]) == set(change)


@pytest.mark.parametrize("body", [
    {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "0999-01-01"},
    {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "2101-01-01"},
    {"first_name": "A\x00n", "last_name": "Lee"},
])
def test_person_bodies_out_of_bounds_are_refused(people, api, body):
    _, staff = people
    _refused(api(staff["officer"]).post("/api/v1/persons", json=body), 422)


def test_lone_surrogate_in_raw_json_is_refused(people, api):
    _, staff = people
    raw = '{"first_name": "\\ud800", "last_name": "Lee"}'
    response = api(staff["officer"]).client.post(
        "/api/v1/persons", data=raw, content_type="application/json", headers=api(staff["officer"]).headers)
    _refused(response, 400, 422)


def test_merge_ids_past_int32_are_not_found(people, api):
    _, staff = people
    _refused(api(staff["supervisor"]).post(f"/api/v1/persons/merges/{INT32_MAX + 1}/undo"), 404)


def test_audit_user_id_past_int32_is_refused(people, api, make):
    _, staff = people
    admin = make.user("admin", agency=staff["officer"].agency)
    _refused(api(admin).get(f"/api/v1/audit?user_id={INT32_MAX + 1}"), 422)


def test_json_nested_five_thousand_deep_is_a_400(people, api):
    _, staff = people
    client = api(staff["officer"])
    response = client.client.post("/api/v1/calls", data=NESTED, content_type="application/json", headers=client.headers)
    _refused(response, 400)


def test_an_if_match_of_five_thousand_digits_is_refused(people, api):
    team, staff = people
    client = api(staff["officer"])
    created = client.post("/api/v1/calls", json=call_payload(team_id=team.id))
    response = client.patch(f"/api/v1/calls/{created.json['id']}", json={"district": "South"},
                            headers={"If-Match": '"' + "9" * 5000 + '"'})
    _refused(response, 400)


def test_nul_in_the_token_request_is_refused_before_login(client):
    response = client.post("/api/v1/auth/token", json={"email": "a\x00@example.test", "password": "x\x00y"})
    _refused(response, 400, 422)


def test_nul_in_the_login_form_is_refused(client):
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    response = client.post("/login", data={"email": "a\x00@example.test", "password": "p", "csrf_token": "t"})
    _refused(response, 400, 401)


@pytest.mark.parametrize("body", [
    "not json", "[]", "{}", "null", '{"output": 1}', '{"output": "x.children", "inputs": "z"}',
    '{"output": "nope.children", "outputs": {"id": "nope", "property": "children"}, "inputs": [], "changedPropIds": []}',
    '{"output": "..overview-summary.children..", "inputs": [{"id": 1}], "state": 5}',
    NESTED, '{"output": "\\ud800"}',
])
def test_malformed_dash_callback_bodies_are_refused(client, people, body):
    _, staff = people
    login(client, staff["supervisor"])
    response = client.post("/dashboard/_dash-update-component", data=body, content_type="application/json",
                           headers={"X-CSRFToken": "test-csrf"})
    _refused(response, 400, 404, 422)


@pytest.mark.parametrize("path", [
    "/dashboard/_dash-component-suites/dash/..%2F..%2F..%2Fconfig.py",
    "/dashboard/_dash-component-suites/dash/..%2Fdash.py",
    "/dashboard/_dash-component-suites/..%2F..%2Fetc/passwd",
    "/dashboard/_dash-component-suites/dash/deps/%00.js",
])
def test_dash_component_suite_paths_cannot_climb(client, people, path):
    _, staff = people
    login(client, staff["supervisor"])
    _refused(client.get(path), 400, 404)

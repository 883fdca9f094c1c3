"""The OpenAPI document at /api/v1/openapi.json: public, valid, complete and in step with the code."""

import re

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_30

from mhu import enums

SPEC_URL = "/api/v1/openapi.json"
# Routes under /api/v1 that are not API operations: the document itself and the HTML page showing it.
NOT_OPERATIONS = {"/api/v1/openapi.json", "/api/v1/docs"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(client):
    response = client.get(SPEC_URL)
    assert response.status_code == 200
    return response.get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def resolve(spec, node):
    """Follow a local `$ref` ("#/components/...") to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def openapi_path(rule: str) -> str:
    """Flask's /calls/<uuid:call_id> as OpenAPI's /calls/{call_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_spec_is_served_without_authentication(client):
    response = client.get(SPEC_URL)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json()["openapi"].startswith("3.")


def test_spec_is_valid_against_the_openapi_3_0_schema(spec):
    # The official OpenAPI 3.0 JSON Schema, as bundled with schemathesis.
    validator = jsonschema_rs.Draft4Validator(OPENAPI_30)

    errors = [f"{list(error.instance_path)}: {error.message}" for error in validator.iter_errors(spec)]

    assert spec["openapi"].startswith("3.0")
    assert errors == []


def test_every_reference_in_the_spec_resolves(spec):
    references = []

    def collect(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                references.append(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    assert references, "expected the spec to share schemas through $ref"
    for reference in references:
        assert reference.startswith("#/"), reference
        resolve(spec, {"$ref": reference})  # a KeyError names the dangling reference


def test_every_path_parameter_is_declared(spec):
    for path, method, operation in operations(spec):
        parameters = spec["paths"][path].get("parameters", []) + operation.get("parameters", [])
        declared = {resolve(spec, p)["name"] for p in parameters if resolve(spec, p)["in"] == "path"}

        assert declared == set(re.findall(r"{([^}]+)}", path)), f"{method.upper()} {path}"


def test_spec_lists_every_api_route_and_method_of_the_app(app, spec):
    routes = {}
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz") and rule.rule not in NOT_OPERATIONS:
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(openapi_path(rule.rule), set()).update(methods)
    documented = {path: {m for m in item if m in HTTP_METHODS} for path, item in spec["paths"].items()}

    assert "/api/v1/calls" in routes and "/healthz" in routes
    assert documented == routes


@pytest.mark.parametrize(("schema", "field", "values"), [
    ("CallCreate", "call_source", enums.CALL_SOURCES),
    ("CallCreate", "nature", enums.NATURES),
    ("CallCreate", "arrestable_offense", enums.ARRESTABLE_OFFENSES),
    ("CallCreate", "transfer_in", enums.TRANSFERS),
    ("CallCreate", "transfer_out", enums.TRANSFERS),
    ("CallCreate", "force_level", enums.FORCE_LEVELS),
    ("CallCreate", "disposition", enums.DISPOSITIONS),
    ("CallCreate", "sim_intercept", enums.SIM_INTERCEPTS),
    ("CallRead", "disposition", enums.DISPOSITIONS),
    ("ReferralCreate", "referral_type", enums.REFERRAL_TYPES),
    ("ReferralCreate", "status", enums.REFERRAL_STATUSES),
    ("AttemptCreate", "method", enums.FOLLOWUP_METHODS),
    ("AttemptCreate", "outcome", enums.FOLLOWUP_OUTCOMES),
    ("PersonCreate", "gender", enums.GENDERS),
    ("PersonCreate", "housing_status", enums.HOUSING_STATUSES),
])
def test_spec_shows_the_enumerations_of_mhu_enums(spec, schema, field, values):
    properties = resolve(spec, spec["components"]["schemas"][schema])["properties"]

    listed = [value for value in properties[field]["enum"] if value is not None]  # null: nullable

    assert listed == list(values)


@pytest.mark.parametrize(("field", "values"), [
    ("presenting_problems", enums.PRESENTING_PROBLEMS),
    ("risk_flags", enums.RISK_FLAGS),
])
def test_spec_shows_the_enumerations_of_multi_valued_call_fields(spec, field, values):
    properties = spec["components"]["schemas"]["CallCreate"]["properties"]

    assert properties[field]["type"] == "array"
    assert resolve(spec, properties[field]["items"])["enum"] == list(values)


def test_spec_shows_injury_party_and_severity_enumerations(spec):
    injuries = spec["components"]["schemas"]["CallCreate"]["properties"]["injuries"]
    injury = resolve(spec, injuries["items"])["properties"]

    assert injury["party"]["enum"] == list(enums.INJURY_PARTIES)
    assert injury["severity"]["enum"] == list(enums.INJURY_SEVERITIES)


def test_call_list_filters_document_their_enumerations(spec):
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/calls"]["get"]["parameters"]}

    assert parameters["disposition"]["enum"] == list(enums.DISPOSITIONS)
    assert parameters["call_source"]["enum"] == list(enums.CALL_SOURCES)
    assert parameters["sim_intercept"]["enum"] == list(enums.SIM_INTERCEPTS)


def error_schema_of(spec, response) -> dict:
    return resolve(spec, resolve(spec, response)["content"]["application/json"]["schema"])


def test_every_operation_but_healthz_documents_401_with_the_error_schema(spec):
    error = spec["components"]["schemas"]["Error"]
    for path, method, operation in operations(spec):
        if path == "/healthz":
            continue
        assert "401" in operation["responses"], f"{method.upper()} {path} does not document 401"
        assert error_schema_of(spec, operation["responses"]["401"]) == error, f"{method.upper()} {path}"


def test_every_operation_taking_input_documents_422_with_per_field_errors(spec):
    error = spec["components"]["schemas"]["Error"]
    assert {"message", "errors"} <= error["properties"].keys()
    checked = 0
    for path, method, operation in operations(spec):
        takes_input = "requestBody" in operation or any(
            resolve(spec, p)["in"] == "query" for p in operation.get("parameters", []))
        if not takes_input:
            continue
        checked += 1
        assert "422" in operation["responses"], f"{method.upper()} {path} does not document 422"
        assert error_schema_of(spec, operation["responses"]["422"]) == error, f"{method.upper()} {path}"
    assert checked >= 10  # calls, persons, follow-ups, referrals, attempts, token at least


def test_healthz_documents_200_and_503(spec):
    responses = spec["paths"]["/healthz"]["get"]["responses"]

    assert {"200", "503"} <= responses.keys()
    health = resolve(spec, responses["503"]["content"]["application/json"]["schema"])
    assert {"status", "database"} <= health["properties"].keys()


def test_spec_declares_bearer_and_cookie_auth_and_marks_public_operations(client):
    spec = client.get("/api/v1/openapi.json").json

    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert {"bearerAuth": []} in spec["security"]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/calls"]["get"]

"""Bounded fuzzing for server errors: every API operation as a supervisor and as an officer, with
valid and invalid data, and the Dash callback endpoint with malformed bodies. Any 5xx fails.

schemathesis generates from the app's own OpenAPI spec (bounds included), NUL characters and
odd Unicode included; Hypothesis is derandomized so a run is repeatable, and the example counts
are small so the step stays near a minute per database.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import schemathesis
from schemathesis import GenerationMode

from mhu.extensions import db
from tests.factories import call_payload, login, token_for

MAX_EXAMPLES = 5
DASH_EXAMPLES = 60
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


def _fuzz_operation(operation, mode, headers, server_errors):
    @given(case=operation.as_strategy(generation_mode=mode))
    @BOUNDED
    def run(case):
        response = case.call(headers=headers())
        if response.status_code >= 500:
            server_errors.append(f"{operation.label} [{mode.value}] {response.status_code}: {case.as_curl_command()}")

    try:
        run()
    except Exception as failure:  # noqa: BLE001 - e.g. Unsatisfiable: nothing to make invalid
        if "Unsatisfiable" not in type(failure).__name__:
            raise


def _fresh_token(user) -> str:
    # Test-client requests share this test's app context and session (conftest); a request that
    # ended in a refused database statement leaves it to be rolled back, as Flask's teardown does
    # between real requests.
    db.session.rollback()
    return token_for(user)


def test_no_api_input_gets_a_server_error(app, make, api, monkeypatch):
    _, team, people = make.unit()
    api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=team.id))
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", 100_000)  # the token endpoint is fuzzed too
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    server_errors = []
    for role in ("supervisor", "officer"):
        for operation in operations:
            # A fresh token per request: the fuzzer may revoke the one it sends (DELETE /auth/token).
            headers = lambda role=role: {"Authorization": f"Bearer {_fresh_token(people[role])}"}  # noqa: E731
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz_operation(operation, mode, headers, server_errors)
    print(f"\nfuzzed {len(operations)} operations x 2 roles x 2 modes: {len(server_errors)} server errors")
    assert len(operations) > 20
    assert not server_errors, "\n".join(server_errors)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _callback_bodies(dashboard):
    """Bodies aimed at the real callbacks (their output and input ids) with values of any shape,
    and bodies of any shape at all."""
    callbacks = list(dashboard.callback_map.items())

    @st.composite
    def aimed(draw):
        output, spec = draw(st.sampled_from(callbacks))
        inputs = [{"id": item["id"], "property": item["property"], "value": draw(JSON_VALUES)} for item in spec["inputs"]]
        state = [{"id": item["id"], "property": item["property"], "value": draw(JSON_VALUES)} for item in spec.get("state", [])]
        body = {"output": output, "outputs": draw(st.sampled_from([{}, [], None, {"id": "x", "property": "y"}])),
                "inputs": inputs, "state": state, "changedPropIds": draw(st.lists(st.text(max_size=20), max_size=2))}
        return json.dumps(body)

    anything = JSON_VALUES.map(json.dumps)
    return st.one_of(aimed(), anything, st.text(max_size=50))


def test_no_dash_callback_body_gets_a_server_error(app, client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    server_errors = []

    @given(body=_callback_bodies(app.extensions["mhu_dashboard"]))
    @settings(BOUNDED, max_examples=DASH_EXAMPLES)
    def run(body):
        response = client.post("/dashboard/_dash-update-component", data=body, content_type="application/json",
                               headers={"X-CSRFToken": "test-csrf"})
        if response.status_code >= 500:
            server_errors.append(f"{response.status_code}: {body[:300]}")

    run()
    print(f"\nfuzzed the Dash callback endpoint: {len(server_errors)} server errors")
    assert not server_errors, "\n".join(server_errors)

"""Statement budgets: how many SQL statements (and commits) one request costs.

A budget is a ceiling that fails the test when a change adds round trips to the hot paths (a
call read, a call create, a health check). It counts statements, not time: timing is in bench/.
"""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from tests.factories import call_payload


@contextmanager
def counted():
    """Count statements and commits on the app's engine while the block runs."""
    seen = {"statements": [], "commits": 0}

    def on_execute(_conn, _cursor, statement, *_args):
        seen["statements"].append(statement.split("\n")[0][:120])

    def on_commit(_conn):
        seen["commits"] += 1

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    sa.event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
        sa.event.remove(engine, "commit", on_commit)


@pytest.fixture
def officer_api(unit, api):
    client = api(unit[2])
    client.get("/api/v1/me")  # warm: the token's first use
    return client


def report(seen) -> str:
    return "\n".join(seen["statements"])


# Ceilings measured on both databases; lower them when a change saves a round trip.
READ_BUDGET = 7      # token, teams, the call, its three lists, the audit event
CREATE_BUDGET = 32   # token, teams, id check, audits, call + lists + follow-up + referral, metric facts of two days
#                      (day sums per slice, team and day, dimension rollups, follow-up facts: a delete and an insert each)
PG_FACT_LOCK = 1     # PostgreSQL also takes the agency's advisory lock before refreshing facts


def test_a_call_read_stays_within_its_statement_budget_and_one_commit(officer_api):
    created = officer_api.post("/api/v1/calls", json=call_payload()).json
    with counted() as seen:
        response = officer_api.get(f"/api/v1/calls/{created['id']}")
    assert response.status_code == 200 and response.json["risk_flags"] == ["intoxicated"]
    assert len(seen["statements"]) <= READ_BUDGET, report(seen)
    assert seen["commits"] == 1


def test_a_call_create_stays_within_its_statement_budget_and_one_commit(officer_api):
    with counted() as seen:
        response = officer_api.post("/api/v1/calls", json=call_payload(followup_required=True))
    assert response.status_code == 201 and response.json["presenting_problems"] == ["substance_use", "suicidal_ideation"]
    budget = CREATE_BUDGET + (PG_FACT_LOCK if db.engine.dialect.name == "postgresql" else 0)
    assert len(seen["statements"]) <= budget, report(seen)
    assert seen["commits"] == 1


def test_the_health_check_is_one_statement(client):
    with counted() as seen:
        assert client.get("/healthz").status_code == 200
    assert len(seen["statements"]) == 1, report(seen)

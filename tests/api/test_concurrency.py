"""Concurrent duplicates and concurrent edits against a live, threaded server on the test database."""

import uuid

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent, Call, IdempotencyRecord
from tests.factories import call_payload, token_for
from tests.support.live import run_together

PARALLEL = 20


def test_twenty_parallel_posts_with_one_key_create_one_call_and_answer_alike(live_server, make):
    _, team, people = make.unit()
    headers = {"Authorization": f"Bearer {token_for(people['officer'])}", "Idempotency-Key": "tablet-42-call-7"}
    body = call_payload(team_id=team.id)
    db.session.remove()  # the test's own session holds no connection while the server works

    responses = run_together(PARALLEL, lambda http, _: http.post(f"{live_server}/api/v1/calls", json=body, headers=headers, timeout=60))

    statuses = [r.status_code for r in responses]
    assert statuses == [201] * PARALLEL, [(r.status_code, r.text[:200]) for r in responses if r.status_code != 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.text for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == PARALLEL - 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "call.create")) == 1


def test_two_concurrent_patches_with_one_etag_give_one_200_and_one_412(live_server, make, api):
    _, team, people = make.unit()
    created = api(people["supervisor"]).post("/api/v1/calls", json=call_payload(team_id=team.id))
    url = f"{live_server}/api/v1/calls/{created.json['id']}"
    etag = created.headers["ETag"]
    tokens = [token_for(people["officer"]), token_for(people["supervisor"])]
    db.session.remove()

    def patch(http, i):
        headers = {"Authorization": f"Bearer {tokens[i]}", "If-Match": etag}
        return http.patch(url, json={"district": f"District {i}"}, headers=headers, timeout=60)

    responses = run_together(2, patch)

    assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    call = db.session.get(Call, uuid.UUID(created.json["id"]))
    assert call.district == winner.json()["district"]
    assert call.version == 2
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "call.update")) == 1


def test_opposite_merges_at_the_same_moment_one_wins_the_other_gets_409(live_server, make, api):
    _, team, people = make.unit()
    officer = api(people["officer"])
    pairs = []
    for n in range(4):
        a = officer.post("/api/v1/persons", json={"first_name": f"Ann{n}", "last_name": "Lee"}).json["id"]
        b = officer.post("/api/v1/persons", json={"first_name": f"Anne{n}", "last_name": "Lee"}).json["id"]
        pairs.append((a, b))
    token = token_for(people["supervisor"])
    db.session.remove()

    outcomes = []
    for a, b in pairs:
        def merge(http, i, a=a, b=b):
            survivor, merged = (a, b) if i == 0 else (b, a)
            return http.post(f"{live_server}/api/v1/persons/{survivor}/merge", json={"merge_id": merged},
                             headers={"Authorization": f"Bearer {token}"}, timeout=60)
        outcomes.append(sorted(r.status_code for r in run_together(2, merge)))

    assert outcomes == [[201, 409]] * len(pairs)
    for a, b in pairs:  # exactly one of each pair was folded into the other
        merged_into = [officer.get(f"/api/v1/persons/{p}").json["merged_into_id"] for p in (a, b)]
        assert merged_into in ([None, a], [b, None]), merged_into

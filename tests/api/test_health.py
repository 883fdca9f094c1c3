"""/healthz: no auth, and an honest answer about the database for load balancers and monitors."""

import socket

import pytest

from mhu import create_app


def unused_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_ok_without_authentication(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, database):
    url = {
        # A PostgreSQL server nobody runs: the port was free a moment ago.
        "postgresql": f"postgresql+psycopg://mhu@127.0.0.1:{unused_loopback_port()}/mhu",
        # SQLite cannot create a file in a directory that does not exist.
        "sqlite": f"sqlite:///{tmp_path / 'missing-dir' / 'mhu.sqlite3'}",
    }[database]
    unreachable = create_app("test", SQLALCHEMY_DATABASE_URI=url)

    response = unreachable.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "unreachable"}


def test_healthz_does_not_need_a_session_or_token(client):
    response = client.get("/healthz", headers={"Authorization": "Bearer not-a-real-token"})

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers

"""Security headers, request ids, cache control and the request size limit."""

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AuditEvent
from tests.factories import call_payload, login


def test_every_response_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp  # no inline scripts, no eval on our own pages
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_error_responses_carry_the_headers_too(client):
    response = client.get("/api/v1/calls")
    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_request_id_is_echoed_and_recorded_in_the_audit_event(client, make, api):
    _, team, people = make.unit()
    response = api(people["officer"]).get("/api/v1/calls", headers={"X-Request-ID": "req-abc.123"})
    assert response.headers["X-Request-ID"] == "req-abc.123"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "call.list"))
    assert event.request_id == "req-abc.123"


def test_a_malformed_request_id_is_replaced_by_a_fresh_one(client):
    response = client.get("/login", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_api_and_pages_with_identified_data_are_not_cached(client, make, api):
    _, team, people = make.unit()
    created = api(people["officer"]).post("/api/v1/calls", json=call_payload(team_id=team.id))
    read = api(people["officer"]).get(f"/api/v1/calls/{created.json['id']}")
    assert created.headers["Cache-Control"] == "no-store"
    assert read.headers["Cache-Control"] == "no-store"
    login(client, people["officer"])
    assert client.get("/field/").headers["Cache-Control"] == "no-store"


def test_static_assets_may_be_cached(client):
    response = client.get("/static/css/mhu.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_body_over_the_limit_gets_a_json_413(app, make, api):
    _, team, people = make.unit()
    body = call_payload(team_id=team.id, narrative="x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    response = api(people["officer"]).post("/api/v1/calls", json=body)
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert response.json["message"]


def test_production_config_turns_debug_and_dash_dev_tools_off():
    from config import ProductionConfig

    assert ProductionConfig.DEBUG is False
    assert ProductionConfig.TESTING is False
    assert ProductionConfig.DASH_DEV_TOOLS is False
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    from config import ProductionConfig
    from mhu import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="MHU_SECRET_KEY"):
        create_app("production")


def test_dashboard_inline_scripts_are_allowed_by_hash_only(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])
    response = client.get("/dashboard/")
    script_src = next(d for d in response.headers["Content-Security-Policy"].split("; ") if d.startswith("script-src"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert script_src.count("'sha256-") >= 1


def test_dashboard_allows_blob_images_only_and_other_pages_not_at_all(client, make):
    _, _, people = make.unit()
    login(client, people["supervisor"])

    dashboard = client.get("/dashboard/")
    field = client.get("/login")
    directives = dict(d.split(" ", 1) for d in dashboard.headers["Content-Security-Policy"].split("; "))

    assert dashboard.status_code == 200
    assert directives["img-src"] == "'self' data: blob:"
    assert all("blob:" not in value for name, value in directives.items() if name != "img-src")
    assert "blob:" not in field.headers["Content-Security-Policy"]

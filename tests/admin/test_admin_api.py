"""Administration through /api/v1/admin: settings, users, invitations, resets, teams, tokens, sessions.

Every change is audited as a permission or configuration change; another agency's records are 404.
"""

from datetime import timedelta

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import AccountLink, AuditEvent, FollowUp
from mhu.models.types import utcnow
from tests.factories import PASSWORD, call_payload, login

NEW_PASSWORD = "a brand new passphrase 2026"


def actions(prefix: str) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)))


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


# ---- agency settings -----------------------------------------------------------------------

def test_settings_show_the_defaults_until_an_administrator_sets_them(make, api):
    _, _, people = make.unit()
    body = api(people["admin"]).get("/api/v1/admin/settings").json
    assert body["followup_hours"] == 48 and body["suppression_threshold"] == 11 and body["districts"] == []
    assert body["timezone"] == "America/Chicago"


def test_settings_change_is_saved_and_audited_as_configuration(make, api):
    _, _, people = make.unit()
    response = api(people["admin"]).patch("/api/v1/admin/settings", json={
        "followup_hours": 24, "suppression_threshold": 5, "timezone": "America/Denver",
        "districts": [{"name": " North ", "beats": ["N1", "N2", "N1"]}, {"name": "South"}]})
    assert response.status_code == 200, response.json
    assert response.json["districts"] == [{"name": "North", "beats": ["N1", "N2"]}, {"name": "South", "beats": []}]
    assert response.json["followup_hours"] == 24 and response.json["timezone"] == "America/Denver"
    assert sorted(actions("config.")) == ["config.agency.districts", "config.agency.followup_hours",
                                          "config.agency.suppression_threshold", "config.agency.timezone"]


def test_bad_settings_get_422_with_per_field_messages_and_change_nothing(make, api):
    _, _, people = make.unit()
    response = api(people["admin"]).patch("/api/v1/admin/settings", json={
        "followup_hours": 0, "suppression_threshold": 500, "timezone": "Mars/Olympus",
        "districts": [{"name": "A"}, {"name": "a"}]})
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"followup_hours", "suppression_threshold", "timezone", "districts"}
    assert api(people["admin"]).get("/api/v1/admin/settings").json["followup_hours"] == 48
    assert api(people["admin"]).patch("/api/v1/admin/settings", json={"followup_hours": 2.5}).status_code == 422


def test_follow_ups_fall_due_by_the_agencys_hours(make, api):
    _, _, people = make.unit()
    api(people["admin"]).patch("/api/v1/admin/settings", json={"followup_hours": 24})
    call = api(people["officer"]).post("/api/v1/calls", json=call_payload(followup_required=True)).json
    followup = db.session.scalar(sa.select(FollowUp).where(FollowUp.call_id == __import__("uuid").UUID(call["id"])))
    cleared = __import__("datetime").datetime.fromisoformat(call["cleared_at"])
    assert followup.due_at - cleared == timedelta(hours=24)


def test_time_zone_is_fixed_once_the_agency_has_calls(make, api):
    _, _, people = make.unit()
    api(people["officer"]).post("/api/v1/calls", json=call_payload())
    response = api(people["admin"]).patch("/api/v1/admin/settings", json={"timezone": "America/Denver"})
    assert response.status_code == 422 and "timezone" in response.json["errors"]["json"]


def test_partner_tables_use_the_agencys_suppression_threshold(make, api):
    _, _, people = make.unit()
    officer = api(people["officer"])
    for _ in range(3):
        officer.post("/api/v1/calls", json=call_payload(followup_required=False))
    query = "/api/v1/partner/metrics/calls_by_district?from=2026-03-01&to=2026-03-31"
    before = api(people["partner"]).get(query).json
    api(people["admin"]).patch("/api/v1/admin/settings", json={"suppression_threshold": 3})
    after = api(people["partner"]).get(query).json
    march = lambda table: next(row for row in table["rows"] if row["month"] == "2026-03")  # noqa: E731
    assert march(before)["North"] is None and march(after)["North"] == 3


# ---- users, invitations, resets --------------------------------------------------------------

def test_an_invitation_link_creates_the_account_once(app, make, api):
    agency, team, people = make.unit()
    admin = api(people["admin"])
    created = admin.post("/api/v1/admin/invitations", json={"email": "New.Officer@Example.test", "role": "officer",
                                                             "team_ids": [team.id]})
    assert created.status_code == 201, created.json
    assert created.json["email"] == "new.officer@example.test" and "/account/link/" in created.json["url"]
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["csrf_token"] = "t"
    link = f"/account/link/{created.json['token']}"
    assert browser.get(link).status_code == 200
    form = {"csrf_token": "t", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "display_name": "New"}
    assert browser.post(link, data=form).status_code == 302
    assert browser.post(link, data=form).status_code == 404  # one use only
    me = app.test_client().post("/api/v1/auth/token", json={"email": "new.officer@example.test", "password": NEW_PASSWORD})
    assert me.status_code == 200
    users = {u["email"]: u for u in admin.get("/api/v1/admin/users").json}
    assert users["new.officer@example.test"]["teams"] == [{"id": team.id, "name": team.name}]
    assert admin.get("/api/v1/admin/invitations").json == []
    assert "permission.user.invite" in actions("permission.") and "permission.user.invite_accept" in actions("permission.")


def test_an_expired_or_withdrawn_invitation_does_not_work(app, make, api):
    _, _, people = make.unit()
    admin = api(people["admin"])
    expired = admin.post("/api/v1/admin/invitations", json={"email": "late@example.test", "role": "clinician"}).json
    withdrawn = admin.post("/api/v1/admin/invitations", json={"email": "gone@example.test", "role": "clinician"}).json
    link = db.session.get(AccountLink, expired["id"])
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert admin.delete(f"/api/v1/admin/invitations/{withdrawn['id']}").status_code == 204
    for body in (expired, withdrawn):
        assert app.test_client().get(f"/account/link/{body['token']}").status_code == 404


def test_inviting_an_existing_email_or_a_foreign_team_is_422(make, api):
    _, _, people = make.unit()
    _, other_team, _ = make.unit()
    admin = api(people["admin"])
    taken = admin.post("/api/v1/admin/invitations", json={"email": people["officer"].email, "role": "officer"})
    foreign = admin.post("/api/v1/admin/invitations", json={"email": "x@example.test", "role": "officer",
                                                             "team_ids": [other_team.id]})
    bad_role = admin.post("/api/v1/admin/invitations", json={"email": "y@example.test", "role": "root"})
    assert taken.status_code == 422 and "email" in taken.json["errors"]["json"]
    assert foreign.status_code == 422 and "team_ids" in foreign.json["errors"]["json"]
    assert bad_role.status_code == 422 and "role" in bad_role.json["errors"]["json"]


def test_a_role_change_signs_the_user_out_and_applies_at_once(app, make, api):
    _, _, people = make.unit()
    officer = people["officer"]
    client = app.test_client()
    login(client, officer)
    bearer = api(officer)
    assert client.get("/field/").status_code == 200
    response = api(people["admin"]).patch(f"/api/v1/admin/users/{officer.id}", json={"role": "partner"})
    assert response.status_code == 200 and response.json["role"] == "partner"
    assert client.get("/field/").status_code == 302
    assert bearer.get("/api/v1/me").status_code == 401
    assert actions("permission.user.") == ["permission.user.role"]


def test_deactivate_and_reactivate(app, make, api):
    _, _, people = make.unit()
    admin, officer = api(people["admin"]), people["officer"]
    assert admin.patch(f"/api/v1/admin/users/{officer.id}", json={"active": False}).json["active"] is False
    token = app.test_client().post("/api/v1/auth/token", json={"email": officer.email, "password": PASSWORD})
    assert token.status_code == 401
    assert admin.patch(f"/api/v1/admin/users/{officer.id}", json={"active": True}).json["active"] is True
    assert actions("permission.user.") == ["permission.user.deactivate", "permission.user.activate"]


def test_an_administrator_cannot_demote_or_deactivate_themself(make, api):
    _, _, people = make.unit()
    me = people["admin"]
    response = api(me).patch(f"/api/v1/admin/users/{me.id}", json={"role": "officer"})
    assert response.status_code == 422 and "role" in response.json["errors"]["json"]


def test_unlock_lifts_a_lockout(app, make, api):
    _, _, people = make.unit()
    officer = people["officer"]
    officer.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    anonymous = app.test_client()
    assert anonymous.post("/api/v1/auth/token", json={"email": officer.email, "password": PASSWORD}).status_code == 401
    assert api(people["admin"]).post(f"/api/v1/admin/users/{officer.id}/unlock").status_code == 204
    assert anonymous.post("/api/v1/auth/token", json={"email": officer.email, "password": PASSWORD}).status_code == 200
    assert actions("permission.") == ["permission.user.unlock"]


def test_a_forced_reset_voids_the_password_until_the_link_sets_a_new_one(app, make, api):
    _, _, people = make.unit()
    officer = people["officer"]
    client = app.test_client()
    login(client, officer)
    reset = api(people["admin"]).post(f"/api/v1/admin/users/{officer.id}/password-reset")
    assert reset.status_code == 201
    assert client.get("/field/").status_code == 302
    anonymous = app.test_client()
    assert anonymous.post("/api/v1/auth/token", json={"email": officer.email, "password": PASSWORD}).status_code == 401
    with anonymous.session_transaction() as session:
        session["csrf_token"] = "t"
    weak = anonymous.post(f"/account/link/{reset.json['token']}",
                          data={"csrf_token": "t", "password": "short", "password_again": "short"})
    assert weak.status_code == 422
    done = anonymous.post(f"/account/link/{reset.json['token']}",
                          data={"csrf_token": "t", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    assert anonymous.post("/api/v1/auth/token", json={"email": officer.email, "password": NEW_PASSWORD}).status_code == 200


def test_an_administrator_lists_and_ends_a_users_sessions(app, make, api):
    _, _, people = make.unit()
    officer = people["officer"]
    tablet, laptop = app.test_client(), app.test_client()
    login(tablet, officer)
    login(laptop, officer)
    admin = api(people["admin"])
    devices = admin.get(f"/api/v1/admin/users/{officer.id}/sessions").json
    assert len(devices) == 2
    assert admin.delete(f"/api/v1/admin/users/{officer.id}/sessions/{devices[0]['id']}").status_code == 204
    assert sorted(c.get("/field/").status_code for c in (tablet, laptop)) == [200, 302]
    assert admin.delete(f"/api/v1/admin/users/{officer.id}/sessions").json == {"ended": 1}
    assert [c.get("/field/").status_code for c in (tablet, laptop)] == [302, 302]
    assert actions("permission.session") == ["permission.session.end", "permission.session.end_all"]


def test_the_user_view_carries_no_clinical_or_call_content(make, api):
    _, _, people = make.unit()
    body = api(people["admin"]).get(f"/api/v1/admin/users/{people['clinician'].id}").json
    assert set(body) == {"id", "email", "display_name", "role", "cit_level", "active", "locked_until",
                         "last_login_at", "created_at", "teams"}
    assert api(people["admin"]).get("/api/v1/calls").status_code == 403


def test_another_agencys_users_teams_and_tokens_are_404(make, api):
    _, _, people = make.unit()
    other_agency, other_team, others = make.unit()
    admin = api(people["admin"])
    other = others["officer"]
    assert admin.get(f"/api/v1/admin/users/{other.id}").status_code == 404
    assert admin.patch(f"/api/v1/admin/users/{other.id}", json={"active": False}).status_code == 404
    assert admin.post(f"/api/v1/admin/users/{other.id}/password-reset").status_code == 404
    assert admin.get(f"/api/v1/admin/teams/{other_team.id}").status_code == 404
    other_feed = make.user("integration", other.agency)
    token = api(others["admin"]).post("/api/v1/admin/tokens", json={"user_id": other_feed.id, "label": "CAD"}).json
    assert admin.delete(f"/api/v1/admin/tokens/{token['id']}").status_code == 404
    assert admin.post("/api/v1/admin/tokens", json={"user_id": other_feed.id, "label": "CAD"}).status_code == 422


# ---- teams -----------------------------------------------------------------------------------

def test_teams_are_created_renamed_and_staffed(make, api):
    _, _, people = make.unit()
    for role in ("admin", "supervisor"):
        manager = api(people[role])
        created = manager.post("/api/v1/admin/teams", json={"name": f"Night {role}", "kind": "clinician_only"})
        assert created.status_code == 201
        team_id = created.json["id"]
        changed = manager.patch(f"/api/v1/admin/teams/{team_id}", json={
            "name": f"Nights {role}", "member_ids": [people["clinician"].id]})
        assert changed.json["name"] == f"Nights {role}" and changed.json["member_ids"] == [people["clinician"].id]
    duplicate = api(people["admin"]).post("/api/v1/admin/teams", json={"name": "Nights admin"})
    assert duplicate.status_code == 422 and "name" in duplicate.json["errors"]["json"]
    assert actions("permission.team.").count("permission.team.members") == 2


# ---- integration tokens ----------------------------------------------------------------------

def test_an_integration_account_is_created_without_a_password(app, make, api):
    _, _, people = make.unit()
    created = api(people["admin"]).post("/api/v1/admin/integrations", json={"email": "CAD@Example.test",
                                                                           "display_name": "CAD feed"})
    assert created.status_code == 201 and created.json["role"] == "integration"
    assert created.json["email"] == "cad@example.test"
    anyone = app.test_client().post("/api/v1/auth/token", json={"email": "cad@example.test", "password": ""})
    assert anyone.status_code in (401, 422)
    again = api(people["admin"]).post("/api/v1/admin/integrations", json={"email": "cad@example.test"})
    assert again.status_code == 422 and "email" in again.json["errors"]["json"]
    assert actions("permission.integration") == ["permission.integration.create"]


def test_integration_tokens_are_issued_once_work_and_are_revoked(app, make, api):
    agency, _, people = make.unit()
    feed_account = make.user("integration", agency)
    admin = api(people["admin"])
    issued = admin.post("/api/v1/admin/tokens", json={"user_id": feed_account.id, "label": "CAD feed",
                                                      "days": 30})
    assert issued.status_code == 201
    token = issued.json["access_token"]
    assert "access_token" not in admin.get("/api/v1/admin/tokens").json[0]
    feed = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert feed.get("/api/v1/me", headers=headers).status_code != 401  # authenticated (it reads nothing)
    assert admin.delete(f"/api/v1/admin/tokens/{issued.json['id']}").status_code == 204
    assert feed.get("/api/v1/me", headers=headers).status_code == 401
    assert admin.get("/api/v1/admin/tokens").json == []
    assert actions("permission.token.") == ["permission.token.issue", "permission.token.revoke"]


def test_tokens_go_to_integration_accounts_only_and_not_for_too_long(make, api):
    agency, _, people = make.unit()
    feed_account = make.user("integration", agency)
    admin = api(people["admin"])
    for person in ("admin", "supervisor", "officer"):
        refused = admin.post("/api/v1/admin/tokens", json={"user_id": people[person].id, "label": "x"})
        assert refused.status_code == 422 and "user_id" in refused.json["errors"]["json"]
    too_long = admin.post("/api/v1/admin/tokens", json={"user_id": feed_account.id, "label": "x", "days": 3650})
    assert too_long.status_code == 422 and "days" in too_long.json["errors"]["json"]


# ---- the audit trail of these changes ---------------------------------------------------------

def test_audit_category_filter_finds_permission_and_configuration_changes(make, api):
    _, _, people = make.unit()
    admin = api(people["admin"])
    admin.patch("/api/v1/admin/settings", json={"followup_hours": 36})
    admin.post(f"/api/v1/admin/users/{people['officer'].id}/unlock")
    config = admin.get("/api/v1/audit?category=config").json["items"]
    permission = admin.get("/api/v1/audit?category=permission").json["items"]
    assert [e["action"] for e in config] == ["config.agency.followup_hours"]
    assert [e["action"] for e in permission] == ["permission.user.unlock"]
    assert admin.get("/api/v1/audit?category=other").status_code == 422


def test_audit_csv_cells_that_look_like_formulas_are_defused(make, api):
    _, _, people = make.unit()
    admin = api(people["admin"])
    for value in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        db.session.add(AuditEvent(agency_id=people["admin"].agency_id, action="call.read", object_type="call",
                                  object_id=value))
    db.session.commit()
    body = admin.get("/api/v1/audit/export?action=call.read").get_data(as_text=True)
    cells = [line.split(",")[7] for line in body.split("\r\n")[1:] if line]
    assert all(cell.strip('"').startswith("'") for cell in cells), cells
    assert len(cells) == 6

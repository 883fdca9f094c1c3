"""Tokens, /me and /teams."""

from tests.factories import PASSWORD


def test_token_for_valid_credentials(make, client):
    _, _, people = make.unit()

    response = client.post("/api/v1/auth/token", json={"email": people["officer"].email, "password": PASSWORD})

    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == 12 * 3600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert me.status_code == 200
    assert me.json["email"] == people["officer"].email
    assert me.json["role"] == "officer"
    assert me.json["agency"]["timezone"] == "America/Chicago"


def test_wrong_password_and_unknown_email_get_the_same_401(make, client):
    _, _, people = make.unit()

    wrong = client.post("/api/v1/auth/token", json={"email": people["officer"].email, "password": "nope nope nope"})
    unknown = client.post("/api/v1/auth/token", json={"email": "nobody@example.test", "password": "nope nope nope"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"]


def test_revoked_token_stops_working(make, client):
    _, _, people = make.unit()
    token = client.post("/api/v1/auth/token", json={"email": people["officer"].email, "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    revoked = client.delete("/api/v1/auth/token", headers=headers)

    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_anonymous_api_request_gets_json_401_not_a_redirect(client):
    response = client.get("/api/v1/calls")

    assert response.status_code == 401
    assert response.json["code"] == 401


def test_teams_lists_only_own_agency(make, api):
    agency, team, people = make.unit()
    other_agency, other_team, _ = make.unit()

    names = [t["name"] for t in api(people["supervisor"]).get("/api/v1/teams").json]

    assert names == [team.name]

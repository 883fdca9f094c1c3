"""The dashboard's guard: login for every /dashboard/ route, 401 to callbacks, roles per page."""

import json

import pytest

from tests.factories import add_call, login, utc

PAGES = ["/dashboard/", "/dashboard/outcomes", "/dashboard/repeat", "/dashboard/followups",
         "/dashboard/operations", "/dashboard/quality", "/dashboard/calls", "/dashboard/partner"]
DASH_ROUTES = ["/dashboard/_dash-layout", "/dashboard/_dash-dependencies", "/dashboard/assets/bootstrap.min.css"]


def csrf_of(client) -> str:
    """The session's CSRF token, which Dash's renderer echoes from the _csrf_token cookie."""
    with client.session_transaction() as session:
        return session.get("csrf_token", "none")


def router_request(client, pathname: str, search: str = "?from=2026-03-01&to=2026-03-31"):
    """The POST Dash's page router makes when the URL changes."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }
    return client.post("/dashboard/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "X-CSRFToken": csrf_of(client)})


def download_request(client):
    body = {
        "output": "partner-download.data", "outputs": {"id": "partner-download", "property": "data"},
        "inputs": [{"id": "download-calls_by_district", "property": "n_clicks", "value": 1},
                   {"id": "download-outcomes", "property": "n_clicks", "value": None}],
        "state": [{"id": "_pages_location", "property": "search", "value": "?from=2026-03-01&to=2026-03-31"}],
        "changedPropIds": ["download-calls_by_district.n_clicks"],
    }
    return client.post("/dashboard/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "X-CSRFToken": csrf_of(client)})


@pytest.fixture
def unit(make):
    agency, team, people = make.unit()
    add_call(people["officer"], utc(2026, 3, 10, 15), district="North")
    return people


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_request_redirects_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", DASH_ROUTES)
def test_anonymous_dash_request_is_401_not_a_redirect(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json["code"] == 401


def test_anonymous_callback_is_401_and_shows_no_data(client, unit):
    response = router_request(client, "/dashboard/")

    assert response.status_code == 401
    assert b"kpi" not in response.data


@pytest.mark.parametrize("path", PAGES + DASH_ROUTES)
def test_admin_is_refused_every_dashboard_route(client, unit, path):
    login(client, unit["admin"])

    assert client.get(path).status_code == 403


def test_admin_callback_is_403(client, unit):
    login(client, unit["admin"])
    client.get("/admin/")  # a page of the admin's own, which hands out a valid CSRF token

    assert router_request(client, "/dashboard/").status_code == 403


@pytest.mark.parametrize("path", PAGES[:-1])
def test_partner_page_request_is_sent_to_the_partner_view(client, unit, path):
    login(client, unit["partner"])

    response = client.get(path + "?from=2026-03-01")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/partner?from=2026-03-01"


@pytest.mark.parametrize("path", PAGES[:-1])
def test_partner_hand_made_callback_for_another_page_is_403(client, unit, path):
    login(client, unit["partner"])
    client.get("/dashboard/partner")  # the partner's own page: a valid session and CSRF token

    response = router_request(client, path)

    assert response.status_code == 403
    assert b"kpi" not in response.data and b"North" not in response.data


def test_partner_reaches_the_partner_view_and_its_download(client, unit):
    login(client, unit["partner"])

    page = client.get("/dashboard/partner")
    content = router_request(client, "/dashboard/partner")
    download = download_request(client)

    assert page.status_code == 200
    assert content.status_code == 200 and b"Calls per period and district" in content.data
    assert download.status_code == 200
    assert "suppressed" in json.loads(download.data)["response"]["partner-download"]["data"]["content"]


@pytest.mark.parametrize("path", PAGES)
def test_supervisor_renders_every_page(client, unit, path):
    login(client, unit["supervisor"])

    assert client.get(path).status_code == 200
    response = router_request(client, path)

    assert response.status_code == 200
    assert b"filter-bar" in response.data


def test_supervisor_of_another_agency_sees_none_of_its_data(client, make, unit):
    _, _, others = make.unit()
    login(client, others["supervisor"])
    client.get("/dashboard/operations")

    response = router_request(client, "/dashboard/operations")

    assert response.status_code == 200 and b"filter-bar" in response.data
    assert b"North" not in response.data  # the other agency's only district

"""Walk every route of the app and call it anonymously and as every role, with every method.

Each answer is checked against EXPECTED, an explicit table keyed by endpoint (DESIGN.md section 4).
A route without an entry fails the test, and so does an entry without a route, so no route (API,
field page, dashboard, Dash internals) can be added or removed without deciding who may use it.
Records of another agency must answer 404 to every role that may use the route.
"""

import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import FollowUp, UserSession
from mhu.services import admin as admin_service
from mhu.services import sessions, training
from tests.factories import PASSWORD, at, call_payload, token_for

ROLES = ("officer", "clinician", "supervisor", "partner", "admin", "integration")
EVERYONE = ("anon", *ROLES)
FIELD = frozenset({"officer", "clinician", "supervisor"})
PARTNER_VIEW = FIELD | {"partner"}
ALL_USERS = frozenset(ROLES)
PEOPLE = ALL_USERS - {"integration"}  # the integration service account reads nothing
IMPORTERS = frozenset({"supervisor", "admin"})
ADMIN = frozenset({"admin"})
TEAM_MANAGERS = frozenset({"supervisor", "admin"})
TRAINERS = frozenset({"supervisor", "admin"})  # the CIT training roster (policy.can_maintain_training)

OK = "ok"  # authorised: the request reached the view (2xx, 3xx other than to /login, 409/412/422/428)
LOGIN = "login"  # a redirect to the login page
AUTHORISED_ERRORS = {409, 412, 422, 428}


def api(allowed):
    """A JSON route: anonymous 401, listed roles authorised, the rest 403."""
    return {role: (401 if role == "anon" else OK if role in allowed else 403) for role in EVERYONE}


def page(allowed):
    """A browser page: anonymous users are sent to log in, other roles get 403."""
    return {role: (LOGIN if role == "anon" else OK if role in allowed else 403) for role in EVERYONE}


def public(answer=OK):
    return {role: answer for role in EVERYONE}


def credentials(anon_answer):
    """Login/token endpoints: roles send their real password; the anonymous caller a wrong one."""
    return {**public(OK), "anon": anon_answer}


EXPECTED = {
    # site and auth
    "web.index": {"GET": {**public(OK), "anon": LOGIN}},
    "web.admin_home": {"GET": page({"admin"})},
    "web.api_docs": {"GET": api(PEOPLE)},
    "auth.login": {"GET": public(OK), "POST": credentials(401)},
    "auth.logout": {"POST": public(LOGIN)},
    "auth_api.Token": {"POST": credentials(401), "DELETE": api(ALL_USERS)},
    "auth_api.me": {"GET": api(PEOPLE)},
    "auth.login_code": {"POST": public(LOGIN)},  # without a pending password step: back to the login
    "auth.mfa_setup": {"GET": page(PEOPLE)},
    "auth.sso_start": {"GET": public(400)},  # the walked agency has no provider: said on the login page
    "auth.sso_callback": {"GET": public(LOGIN)},  # without a sign-in started here: back to the login
    "auth.mfa_start": {"POST": page(PEOPLE)},
    "auth.mfa_confirm": {"POST": page(PEOPLE)},
    "mfa_api.TotpEnrolment": {"POST": api(PEOPLE)},
    "mfa_api.TotpConfirm": {"POST": api(PEOPLE)},
    "mfa_api.UserMfa": {"DELETE": api({"admin"})},
    "auth_api.teams": {"GET": api(PEOPLE)},
    "health.healthz": {"GET": public(OK)},
    "api-docs.openapi_json": {"GET": public(OK)},
    "static": {"GET": public(OK)},
    # calls and what hangs off them
    "calls.CallCollection": {"GET": api(FIELD), "POST": api(FIELD)},
    "calls.CallItem": {"GET": api(FIELD), "PATCH": api(FIELD), "DELETE": api(FIELD)},
    "calls.CallReferrals": {"GET": api(FIELD), "POST": api(FIELD)},
    "calls.CallFollowUps": {"GET": api(FIELD), "POST": api(FIELD)},
    "calls.CallNotes": {"GET": api({"clinician"}), "POST": api({"clinician"})},
    "followups.worklist": {"GET": api(FIELD)},
    "followups.FollowUpItem": {"GET": api(FIELD), "PATCH": api(FIELD)},
    "followups.FollowUpAttempts": {"GET": api(FIELD), "POST": api(FIELD)},
    "persons.PersonCollection": {"GET": api(FIELD), "POST": api(FIELD)},
    "persons.PersonItem": {"GET": api(FIELD), "PATCH": api(FIELD)},
    "persons.PersonMergeView": {"POST": api({"supervisor"})},
    "persons.PersonMergeUndo": {"POST": api({"supervisor"})},
    # metrics: identified for field roles, suppressed aggregates also for partners
    "metrics.summary": {"GET": api(FIELD)},
    "metrics.series": {"GET": api(FIELD)},
    "metrics.breakdown": {"GET": api(FIELD)},
    "metrics.hour_weekday": {"GET": api(FIELD)},
    "metrics.flow": {"GET": api(FIELD)},
    "metrics.durations": {"GET": api(FIELD)},
    "metrics.followups": {"GET": api(FIELD)},
    "metrics.data_quality": {"GET": api(FIELD)},
    "metrics.high_utilizer_list": {"GET": api(FIELD)},
    "partner_metrics.partner_table": {"GET": api(PARTNER_VIEW)},
    "partner_metrics.partner_table_csv": {"GET": api(PARTNER_VIEW)},
    # equity: demographic tables (identified for field roles, suppressed for partners); call stories
    "demographics.demographic_tables": {"GET": api(FIELD)},
    "partner_demographics.partner_demographic_tables": {"GET": api(PARTNER_VIEW)},
    "stories.Story": {"GET": api(FIELD), "PUT": api(FIELD)},
    "stories.StoryApprove": {"POST": api({"supervisor"})},
    "stories.StoryWithdraw": {"POST": api({"supervisor"})},
    "field.save_story": {"POST": page(FIELD)},
    "field.save_demographics": {"POST": page(FIELD)},
    # imports, row-level export: supervisors and administrators; the CAD feed: integration accounts only
    "imports.ImportCollection": {"GET": api(IMPORTERS), "POST": api(IMPORTERS)},
    "imports.ImportItem": {"GET": api(IMPORTERS)},
    "imports.rejects_csv": {"GET": api(IMPORTERS)},
    "imports.undo": {"POST": api(IMPORTERS)},
    "imports.profiles": {"GET": api(IMPORTERS)},
    "imports_page.index": {"GET": page(IMPORTERS)},
    "imports_page.static": {"GET": public(OK)},
    "export.calls_csv": {"GET": api(IMPORTERS)},
    "cad.incidents": {"POST": api({"integration"})},
    # reports of aggregates: command staff; the CIT roster: supervisors and administrators
    "reports.command": {"GET": api({"supervisor"})},
    "reports.jmhcp_csv": {"GET": api({"supervisor"})},
    "reports.partner": {"GET": api({"supervisor", "partner"})},
    "metrics.cit_share": {"GET": api({"supervisor"})},
    # program evaluation reads every call of the agency, patrol-only included: command staff
    **{f"evaluation.{name}": {"GET": api({"supervisor"})} for name in (
        "eligibility", "eligibility_calls", "eligibility_gaps", "comparison", "before_after", "savings", "handoff")},
    "training.TrainingCollection": {"GET": api(TRAINERS), "POST": api(TRAINERS)},
    "training.TrainingItem": {"DELETE": api(TRAINERS)},
    "training.coverage": {"GET": api(TRAINERS)},
    # audit trail: administrators only, read-only
    "audit.search": {"GET": api({"admin"})},
    "audit.export": {"GET": api({"admin"})},
    # administration: the agency's administrators (teams: supervisors too); nothing clinical
    "admin_api.Settings": {"GET": api(ADMIN), "PATCH": api(ADMIN)},
    "admin_api.users_list": {"GET": api(ADMIN)},
    "admin_api.UserItem": {"GET": api(ADMIN), "PATCH": api(ADMIN)},
    "admin_api.user_unlock": {"POST": api(ADMIN)},
    "admin_api.user_password_reset": {"POST": api(ADMIN)},
    "admin_api.UserSessions": {"GET": api(ADMIN), "DELETE": api(ADMIN)},
    "admin_api.user_session_end": {"DELETE": api(ADMIN)},
    "admin_api.Invitations": {"GET": api(ADMIN), "POST": api(ADMIN)},
    "admin_api.invitation_revoke": {"DELETE": api(ADMIN)},
    "admin_api.Teams": {"GET": api(TEAM_MANAGERS), "POST": api(TEAM_MANAGERS)},
    "admin_api.TeamItem": {"GET": api(TEAM_MANAGERS), "PATCH": api(TEAM_MANAGERS)},
    "admin_api.Tokens": {"GET": api(ADMIN), "POST": api(ADMIN)},
    "admin_api.integrations": {"POST": api(ADMIN)},
    "admin.create_integration": {"POST": page(ADMIN)},
    "admin_api.token_revoke": {"DELETE": api(ADMIN)},
    "admin.settings": {"GET": page(ADMIN), "POST": page(ADMIN)},
    "admin.users": {"GET": page(ADMIN)},
    "admin.invite": {"POST": page(ADMIN)},
    "admin.revoke_invitation": {"POST": page(ADMIN)},
    "admin.user": {"GET": page(ADMIN), "POST": page(ADMIN)},
    "admin.unlock": {"POST": page(ADMIN)},
    "admin.password_reset": {"POST": page(ADMIN)},
    "admin.end_user_sessions": {"POST": page(ADMIN)},
    "admin.teams": {"GET": page(TEAM_MANAGERS), "POST": page(TEAM_MANAGERS)},
    "admin.team": {"GET": page(TEAM_MANAGERS), "POST": page(TEAM_MANAGERS)},
    "admin.tokens": {"GET": page(ADMIN), "POST": page(ADMIN)},
    "admin.revoke_token": {"POST": page(ADMIN)},
    "admin.training_roster": {"GET": page(TRAINERS), "POST": page(TRAINERS)},
    "admin.delete_training": {"POST": page(TRAINERS)},
    "admin.import_training": {"POST": page(TRAINERS)},
    "admin.audit": {"GET": page(ADMIN)},
    "admin.audit_csv": {"GET": page(ADMIN)},
    # every user's own devices; the session walked belongs to the officer, so it is missing to others
    "my_sessions.MySessions": {"GET": api(ALL_USERS), "DELETE": api(ALL_USERS)},
    "my_sessions.my_session_end": {"DELETE": {**api({"officer"}), **{r: 404 for r in ROLES if r != "officer"}}},
    "admin.my_sessions": {"GET": page(ALL_USERS)},
    "admin.end_my_sessions": {"POST": page(ALL_USERS)},
    # a one-time link is its own credential: anyone holding it may open it (not agency-scoped)
    "admin.account_link": {"GET": public(OK), "POST": public(OK)},
    # field pages (tablets)
    "field.home": {"GET": page(FIELD)},
    "field.new_call": {"GET": page(FIELD)},
    "field.call_page": {"GET": page(FIELD)},
    "field.followups": {"GET": page(FIELD)},
    "field.record_attempt": {"POST": page(FIELD)},
    "field.add_referral": {"POST": page(FIELD)},
    "field.add_note": {"POST": page({"clinician"})},
    "field.person_page": {"GET": page(FIELD)},
    "field.service_worker": {"GET": page(FIELD)},
    "field.static": {"GET": public(OK)},
    # anonymous surveys: issued on a call by officers and clinicians, answered without login (a walked
    # token is unknown: 404 for everyone), comments reviewed by clinicians; reminders for field roles
    "field.issue_survey": {"POST": page({"officer", "clinician"})},
    "field.survey_review": {"GET": page({"clinician"})},
    "field.review_survey_comment": {"POST": page({"clinician"})},
    "field.reminder_list": {"GET": page(FIELD)},
    "survey.survey": {"GET": public(404), "POST": public(404)},
    "survey.static": {"GET": public(OK)},
    "survey_metrics.supervisor_surveys": {"GET": api({"supervisor"})},
    "survey_metrics.partner_surveys": {"GET": api(PARTNER_VIEW)},
    "survey_metrics.partner_surveys_csv": {"GET": api(PARTNER_VIEW)},
    # the Dash dashboard: pages redirect anonymous users to log in; its JSON routes answer 401
    "/dashboard/": {"GET": {**page(FIELD), "partner": OK}},  # partners are sent on to the partner view
    "/dashboard/<path:path>": {"GET": {**page(FIELD), "partner": OK}},
    "/dashboard/_dash-layout": {"GET": api(PARTNER_VIEW)},
    "/dashboard/_dash-dependencies": {"GET": api(PARTNER_VIEW)},
    "/dashboard/_dash-update-component": {"POST": api(FIELD)},  # the overview page's content
    "/dashboard/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": {"GET": api(PARTNER_VIEW)},
    "/dashboard/_favicon.ico": {"GET": api(PARTNER_VIEW)},
    "/dashboard/_reload-hash": {"GET": api(PARTNER_VIEW)},
    "_dashboard_dash_assets.static": {"GET": api(PARTNER_VIEW)},
}
# Dash's page-routing callback asked for the overview page: a real callback request.
DASH_CALLBACK = {
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
    "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/dashboard/"},
               {"id": "_pages_location", "property": "search", "value": ""}],
    "changedPropIds": ["_pages_location.pathname"],
}

_samples = {}


def sample_values(app, supervisor):
    """Values for path parameters that are not record ids: real files, names and a Dash bundle."""
    from schemas import metrics as metric_schemas

    if _samples:
        return _samples
    index = Caller(app, "supervisor", supervisor).browser.get("/dashboard/").get_data(as_text=True)
    package, fingerprinted = re.search(r'/_dash-component-suites/([^/"]+)/([^"]+)"', index).groups()
    _samples.update({
        ("static", "filename"): "css/mhu.css",
        ("auth.sso_start", "agency_id"): supervisor.agency_id,
        ("field.static", "filename"): "css/field.css",
        ("survey.static", "filename"): "survey.css",
        ("survey.survey", "token"): "walk-token-that-was-never-issued",
        ("imports_page.static", "filename"): "imports.js",
        ("_dashboard_dash_assets.static", "filename"): "bootstrap.min.css",
        ("/dashboard/<path:path>", "path"): "outcomes",
        ("metrics.breakdown", "dimension"): metric_schemas.BREAKDOWN_NAMES[0],
        ("partner_metrics.partner_table", "table"): metric_schemas.PARTNER_TABLE_NAMES[0],
        ("partner_metrics.partner_table_csv", "table"): metric_schemas.PARTNER_TABLE_NAMES[0],
        ("/dashboard/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>", "package_name"): package,
        ("/dashboard/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>", "fingerprinted_path"):
            fingerprinted,
    })
    return _samples


def body_for(endpoint, method, email, ids):
    """A valid body, so an authorised request for another agency's record reaches the lookup."""
    bodies = {
        ("calls.CallCollection", "POST"): call_payload(),
        ("calls.CallItem", "PATCH"): {"district": "Walked"},
        ("calls.CallItem", "DELETE"): {"reason": "Roles walk"},
        ("calls.CallReferrals", "POST"): {"referral_type": "peer_support"},
        ("calls.CallFollowUps", "POST"): {},
        ("calls.CallNotes", "POST"): {"body": "Walk note."},
        ("followups.FollowUpItem", "PATCH"): {"due_at": at(days=3).isoformat()},
        ("followups.FollowUpAttempts", "POST"): {"attempted_at": at(hours=2).isoformat(), "method": "phone"},
        ("persons.PersonCollection", "POST"): {"first_name": "Walk", "last_name": "Person"},
        ("persons.PersonItem", "PATCH"): {"veteran": True},
        ("stories.Story", "PUT"): {"summary": "A walked story: an adult in crisis was calmed on scene."},
        ("persons.PersonMergeView", "POST"): {"merge_id": ids["second_person_id"]},
        ("/dashboard/_dash-update-component", "POST"): DASH_CALLBACK,
        ("cad.incidents", "POST"): {"incident": {"incident_number": "WALK-1", "received_at": at().isoformat()}},
        ("training.TrainingCollection", "POST"): {"user_id": ids["officer_id"], "course": "Walk course", "hours": 8,
                                                  "completed_on": "2026-02-01"},
        ("auth_api.Token", "POST"): {"email": email or "nobody@example.test", "password": PASSWORD if email else "wrong password"},
        ("admin_api.Settings", "PATCH"): {"followup_hours": 30},
        ("admin_api.UserItem", "PATCH"): {"display_name": "Walked"},
        ("admin_api.Invitations", "POST"): {"email": "walk-invite@example.test", "role": "officer"},
        ("admin_api.Teams", "POST"): {"name": "Walk team"},
        ("admin_api.TeamItem", "PATCH"): {"name": "Walked team"},
        ("admin_api.integrations", "POST"): {"email": "walk-feed@example.test"},
        ("admin_api.Tokens", "POST"): {"user_id": ids["user_id"], "label": "Walk"},
    }
    return bodies.get((endpoint, method))


class Records:
    """A call (with its follow-up), a person and a note in one agency; for the administration
    routes, two invitations, an integration token and a signed-in device of the officer."""

    def __init__(self, make, api_client, tmp_path):
        self.agency, self.team, self.people = make.unit()
        self.people["integration"] = make.user("integration", self.agency, teams=[self.team])
        officer = api_client(self.people["officer"])
        person = officer.post("/api/v1/persons", json={"first_name": "Ana", "last_name": "Lopez"}).json
        call = officer.post("/api/v1/calls", json=call_payload(person_id=person["id"], followup_required=True)).json
        api_client(self.people["clinician"]).post(f"/api/v1/calls/{call['id']}/notes", json={"body": "Note."})
        officer.put(f"/api/v1/calls/{call['id']}/story", json={"summary": "An adult in crisis was calmed on scene."})
        twin = officer.post("/api/v1/persons", json={"first_name": "Ana", "last_name": "Lopes"}).json
        merged = officer.post("/api/v1/persons", json={"first_name": "Ann", "last_name": "Lopez"}).json
        merge = api_client(self.people["supervisor"]).post(
            f"/api/v1/persons/{twin['id']}/merge", json={"merge_id": merged["id"]}).json
        self.ids = {
            "call_id": call["id"], "person_id": person["id"], "merge_id": merge["id"],
            "second_person_id": twin["id"], "user_id": self.people["clinician"].id,
            "officer_id": self.people["officer"].id,
            "training_id": training.create_training(
                actor=self.people["supervisor"], user_id=self.people["officer"].id,
                data={"course": "CIT basic", "hours": 40, "completed_on": date(2026, 1, 5)}).id,
            # the page's remove button walks a record of its own (the API's DELETE removes the first)
            "record_id": training.create_training(
                actor=self.people["supervisor"], user_id=self.people["officer"].id,
                data={"course": "CIT refresher", "hours": 8, "completed_on": date(2026, 2, 5)}).id,
            "followup_id": str(db.session.scalar(sa.select(FollowUp.id).where(FollowUp.call_id == uuid.UUID(call["id"])))),
            "batch_id": str(_import_batch(self, tmp_path).id),
            "response_id": str(_survey_comment(self).id),
            **self._administration(),
        }

    def _administration(self) -> dict:
        admin, officer = self.people["admin"], self.people["officer"]
        kept, _ = admin_service.invite(actor=admin, email=f"walk-kept-{uuid.uuid4().hex[:8]}@example.test", role="officer")
        _, withdrawn = admin_service.invite(actor=admin, email=f"walk-gone-{uuid.uuid4().hex[:8]}@example.test",
                                            role="officer")
        _, token = admin_service.issue_token(actor=admin, user=self.people["integration"], label="Walk", days=1)
        sessions.start(user=officer)
        db.session.commit()
        device = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_id == officer.id))
        return {"user_id": officer.id, "team_id": self.team.id, "link_id": withdrawn.id, "token_id": token.id,
                "session_id": device, "token": kept}


def _survey_comment(records):
    """An anonymous survey answer of the agency's team with a comment waiting for review."""
    from mhu.models import SurveyResponse

    response = SurveyResponse(agency_id=records.agency.id, team_id=records.team.id, month=date(2026, 3, 1),
                              respected=4, comment="Walk comment.", comment_state="pending")
    db.session.add(response)
    db.session.commit()
    return response


def _import_batch(records, tmp_path):
    """A finished import batch of the agency (one call, one rejected row)."""
    from mhu.services import imports
    from mhu.services.imports.profile import parse_profile

    path = tmp_path / f"walk-{records.agency.id}.csv"
    path.write_text("Id,When\nW1,2026-03-01 10:00\nW2,not a time\n")
    profile = parse_profile({"version": 1, "name": "Walk", "timezone": "America/Chicago", "key": ["Id"],
                             "fields": {"incident_number": {"column": "Id"}, "received_at": {"column": "When"}}})
    batch = imports.create_batch(actor=records.people["supervisor"], agency=records.agency, team=records.team,
                                 profile=profile, source=path, filename=path.name)
    return imports.run(batch)


class Caller:
    """Sends requests as one role: bearer token for /api, a logged-in session cookie for pages."""

    def __init__(self, app, role, user):
        self.app, self.role, self.user = app, role, user
        self.token = token_for(user) if user else None
        self.browser = self._browser()

    def _browser(self):
        browser = self.app.test_client()
        with browser.session_transaction() as session:
            session["csrf_token"] = "walk"
        if self.user is not None:
            browser.post("/login", data={"email": self.user.email, "password": PASSWORD, "csrf_token": "walk"})
            with browser.session_transaction() as session:
                session["csrf_token"] = "walk"
        return browser

    def send(self, endpoint, method, path, ids):
        # Logging out or revoking the token would end this caller's credentials: use fresh ones.
        fresh = (endpoint, method) == ("auth_api.Token", "DELETE")
        email = self.user.email if self.user else None
        body = body_for(endpoint, method, email, ids)
        headers = {"X-CSRFToken": "walk"}
        if method == "PATCH":
            headers["If-Match"] = '"1"'
        if path.startswith("/api/"):
            client = self.app.test_client()
            token = token_for(self.user) if (fresh and self.user) else self.token
            if token and endpoint != "auth_api.Token" or (token and method == "DELETE"):
                headers["Authorization"] = f"Bearer {token}"
            return client.open(path, method=method, json=body, headers=headers)
        client = self.browser
        if endpoint == "auth.logout":
            # Logout rotates the user's session nonce and ends every session of the user: it is walked last.
            return client.open(path, method=method, data={"csrf_token": "walk"})
        if endpoint == "auth.login" and method == "POST":
            password = PASSWORD if self.user else "wrong password"
            form = {"email": email or "nobody@example.test", "password": password, "csrf_token": "walk"}
            response = client.open(path, method=method, data=form, headers=headers)
            with client.session_transaction() as session:
                session["csrf_token"] = "walk"  # a login starts a fresh session
            return response
        if method == "GET":
            return client.open(path, method=method, headers=headers)
        return client.open(path, method=method, json=body if body is not None else {}, headers=headers)


# Requests that end sessions, in the order they must run (see the walk's sort).
LATE = {
    ("admin.user", "POST"): 2, ("admin.password_reset", "POST"): 2, ("admin_api.user_password_reset", "POST"): 2,
    ("admin.end_user_sessions", "POST"): 2, ("admin_api.UserSessions", "DELETE"): 2,
    ("admin.end_my_sessions", "POST"): 3, ("my_sessions.MySessions", "DELETE"): 4, ("auth.logout", "POST"): 5,
}
NOT_AGENCY_SCOPED = {"admin.account_link"}


def walk_order(endpoint, method) -> int:
    return LATE.get((endpoint, method), 1 if method == "DELETE" else 0)


def classify(response) -> str | int:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303, 307, 308) and re.search(r"/login(\?|$)", location):
        return LOGIN
    if status < 400 or status in AUTHORISED_ERRORS:
        return OK
    return status


def fill(rule, ids, samples):
    values = {}
    for name in rule.arguments:
        values[name] = ids[name] if name in ids else samples[(rule.endpoint, name)]
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def walked_methods(rule):
    # HEAD runs the GET view and OPTIONS is answered by Flask itself without running any view.
    return sorted(rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: (m == "DELETE", m))


def test_every_route_has_an_access_rule_and_every_rule_a_route(app):
    routes = {rule.endpoint: walked_methods(rule) for rule in app.url_map.iter_rules()}
    missing = sorted(set(routes) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(routes))
    assert not missing, f"routes without an entry in EXPECTED: {missing}"
    assert not stale, f"entries in EXPECTED without a route: {stale}"
    for endpoint, methods in routes.items():
        assert sorted(EXPECTED[endpoint]) == sorted(methods), endpoint


@pytest.mark.parametrize("role", EVERYONE)
def test_every_route_answers_every_role_as_the_matrix_says(app, make, api, role, tmp_path):
    own = Records(make, api, tmp_path)
    other = Records(make, api, tmp_path)
    caller = Caller(app, role, None if role == "anon" else own.people[role])
    samples = sample_values(app, own.people["supervisor"])
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint in EXPECTED]
    requests = [(rule, method) for rule in rules for method in walked_methods(rule)]
    # Voiding the call comes late so the other requests meet a live call; requests that sign someone
    # out everywhere come after those that end one session; signing oneself out comes last.
    requests.sort(key=lambda item: walk_order(item[0].endpoint, item[1]))

    wrong = []
    for rule, method in requests:
        expected = EXPECTED[rule.endpoint][method][role]
        response = caller.send(rule.endpoint, method, fill(rule, own.ids, samples), own.ids)
        response.close()  # static files are streamed from an open file
        got = classify(response)
        if got != expected or response.status_code >= 500:
            wrong.append((method, rule.rule, expected, response.status_code, response.get_data(as_text=True)[:150]))
        if not set(rule.arguments) & set(own.ids) or rule.endpoint in NOT_AGENCY_SCOPED:
            continue
        foreign = caller.send(rule.endpoint, method, fill(rule, other.ids, samples), other.ids)
        foreign.close()
        expected_foreign = 404 if expected == OK else expected
        if classify(foreign) != expected_foreign:
            wrong.append((method, rule.rule + " (other agency)", expected_foreign, foreign.status_code,
                          foreign.get_data(as_text=True)[:150]))
    assert not wrong, "\n".join(map(str, wrong))

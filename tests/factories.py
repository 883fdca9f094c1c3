"""Factories for the records tests need.

Organisation records (agencies, teams, users) are built directly through the models, fast and
with known passwords. Case records (calls, persons, referrals, follow-ups) go through the
services, as a user's request would, so the rules and the metric facts apply to them.
"""

import itertools
import secrets
from datetime import date, datetime, timedelta, timezone

from mhu.auth.passwords import hash_password
from mhu.extensions import db
from mhu.models import Agency, Team, User
from mhu.services import calls as call_service
from mhu.services import care
from mhu.services import persons as person_service
from mhu.services import users as user_service
from mhu.services.metrics import MetricFilters

PASSWORD = "correct horse battery staple 42"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is deliberately slow: hash once per run
_counter = itertools.count(1)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


class Factory:
    """Builds the records tests need, with sensible defaults, through real models."""

    def agency(self, name=None, timezone_name="America/Chicago") -> Agency:
        agency = Agency(name=name or f"Agency {next(_counter)}", timezone=timezone_name)
        db.session.add(agency)
        db.session.commit()
        return agency

    def team(self, agency, name=None, kind="co_responder") -> Team:
        team = Team(agency=agency, name=name or f"Team {next(_counter)}", kind=kind)
        db.session.add(team)
        db.session.commit()
        return team

    def user(self, role, agency=None, teams=(), email=None) -> User:
        agency = agency or self.agency()
        user = User(
            email=email or f"{role}{next(_counter)}@example.test", role=role, agency=agency,
            password_hash=_PASSWORD_HASH, session_nonce=secrets.token_hex(16), teams=list(teams),
        )
        db.session.add(user)
        db.session.commit()
        return user

    def unit(self, name=None):
        """An agency with one co-responder team and one user of every role on it."""
        agency = self.agency(name)
        team = self.team(agency)
        people = {role: self.user(role, agency, teams=[team] if role in ("officer", "clinician") else [])
                  for role in ("officer", "clinician", "supervisor", "partner", "admin")}
        return agency, team, people


def token_for(user: User) -> str:
    token, _ = user_service.issue_token(user=user)
    return token


def login(client, user, password=PASSWORD):
    """Log a browser session in through the real form (with its CSRF token)."""
    with client.session_transaction() as session:
        session["csrf_token"] = "test-csrf"
    return client.post("/login", data={"email": user.email, "password": password, "csrf_token": "test-csrf"})


def signed_in_browser(app, user, *, agent: str | None = None):
    """A test client logged in as `user` whose form posts carry the CSRF token "t"."""
    browser = app.test_client()
    if agent is not None:
        browser.environ_base["HTTP_USER_AGENT"] = agent
    login(browser, user)
    with browser.session_transaction() as session:
        session["csrf_token"] = "t"
    return browser


def at(days=0, hours=0, minutes=0) -> datetime:
    """A fixed, aware reference time plus an offset; tests never depend on today's date."""
    return datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc) + timedelta(days=days, hours=hours, minutes=minutes)


def call_payload(**overrides) -> dict:
    """A complete, valid call body as a tablet would send it."""
    body = {
        "incident_number": "C26-000123",
        "received_at": at().isoformat(),
        "dispatched_at": at(minutes=2).isoformat(),
        "arrived_at": at(minutes=11).isoformat(),
        "cleared_at": at(minutes=55).isoformat(),
        "call_source": "911",
        "nature": "mh_crisis",
        "initial_call_type": "10-96",
        "final_call_type": "10-96",
        "presenting_problems": ["suicidal_ideation", "substance_use"],
        "risk_flags": ["intoxicated"],
        "arrestable_offense": "none",
        "district": "North",
        "beat": "N3",
        "address": "100 Main St",
        "latitude": 41.88,
        "longitude": -87.63,
        "cit_officer_on_scene": True,
        "transfer_in": "911",
        "transfer_out": "none",
        "force_level": "none",
        "injuries": [],
        "disposition": "resolved_with_referral",
        "legal_hold_type": None,
        "followup_required": True,
        "narrative": "Subject calm after de-escalation; safety plan made.",
    }
    body.update(overrides)
    if body.get("disposition") in ("resolved_with_referral", "referred_to_other_agency") and "referrals" not in body:
        # The service refuses a referral disposition without a referral.
        body["referrals"] = [{"referral_type": "mh_outpatient_new", "partner": "County Behavioral Health"}]
    return body


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def add_call(actor, received: datetime, **fields):
    """Create a call through the calls service, with short default times and no follow-up.

    Like an imported record, a referral disposition may come without its referral: metric tests
    add referrals themselves (the form's rule is tested through the API)."""
    data = {
        "received_at": received, "dispatched_at": received + timedelta(minutes=2),
        "arrived_at": received + timedelta(minutes=11), "cleared_at": received + timedelta(minutes=55),
        "call_source": "911", "nature": "mh_crisis", "disposition": "resolved_on_scene",
        "cit_officer_on_scene": False, "followup_required": False,
    }
    data.update(fields)
    return call_service.create_call(actor=actor, data=data, referral_required=False)


def add_person(actor, name="Pat Doe"):
    first, last = name.split(" ", 1)
    return person_service.create_person(actor=actor, data={"first_name": first, "last_name": last})


def void(actor, call):
    return call_service.void_call(actor=actor, call=call, reason="entered twice")


def filters_for(agency, first=MARCH[0], last=MARCH[1], **kwargs) -> MetricFilters:
    return MetricFilters(agency_id=agency.id, date_from=first, date_to=last, **kwargs)


def add_referral(actor, call, **data):
    """Record a referral on a call through the care service."""
    return care.create_referral(actor=actor, call=call, data={"referral_type": "peer_support", **data})


def add_followup(actor, call, **data):
    """Open a follow-up on a call through the care service."""
    return care.create_followup(actor=actor, call=call, data=data)


def value(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator, "value": numerator / denominator if denominator else None}


def outcome_calls(officer):
    """Eight calls whose every call-based rate is worked out by hand (tests/services/metrics/test_rates.py)."""
    t = utc(2026, 3, 10, 15)
    calls = {
        "arrest": add_call(officer, t, disposition="arrest", arrestable_offense="felony",
                           force_level="physical_control", cit_officer_on_scene=True,
                           injuries=[{"party": "subject", "severity": "minor"}]),
        "citation": add_call(officer, t, disposition="citation_or_summons", arrestable_offense="misdemeanor"),
        "resolved": add_call(officer, t, disposition="resolved_on_scene", arrestable_offense="misdemeanor",
                             cit_officer_on_scene=True, initial_call_type="10-96", final_call_type="10-96"),
        "ed": add_call(officer, t, disposition="voluntary_transport_ed", initial_call_type="A", final_call_type="B",
                       transfer_in="988", transfer_out="ems"),
        "detention": add_call(officer, t, disposition="emergency_detention", legal_hold_type="5150",
                              force_level="handcuffs_restraint",
                              injuries=[{"party": "officer", "severity": "complaint_of_pain"}]),
        "not_located": add_call(officer, t, disposition="unable_to_locate", arrestable_offense="felony",
                                force_level="deadly_force", cit_officer_on_scene=True),
        "voided": add_call(officer, t, disposition="arrest", arrestable_offense="felony"),
        "no_disposition": add_call(officer, t, disposition=None, transfer_in="988"),
    }
    void(officer, calls["voided"])
    add_referral(officer, calls["resolved"])
    care.create_referral(actor=officer, call=calls["ed"], data={"referral_type": "mh_outpatient_new", "status": "linked"})
    care.create_referral(actor=officer, call=calls["ed"], data={"referral_type": "housing_shelter"})
    care.create_referral(actor=officer, call=calls["not_located"], data={"referral_type": "benefits"})
    return calls

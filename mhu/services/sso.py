"""Single sign-on with an agency's OpenID Connect provider (authorization code flow with PKCE).

The provider proves who the person is; MHU decides what they may do. A provider account maps to an
MHU user by a link made at its first sign-in (issuer and subject), or else to a pre-provisioned
account of the agency with the same, provider-verified email, or else, when the agency names a
role claim, to a new account with the mapped role. The ID token is checked here: signature against
the provider's published keys, issuer, audience (our client id), expiry and the nonce of this
sign-in. Local passwords can be turned off per agency.
"""

from __future__ import annotations

import secrets
import time

import requests
import sqlalchemy as sa
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mhu.enums import ROLES
from mhu.extensions import db
from mhu.models import Agency, AgencySso, SsoIdentity, User
from mhu.services import ServiceError, audit, sealed, users

SEALED_PURPOSE = "sso client secret"
SCOPE = "openid email profile"
HTTP_TIMEOUT = 10
DISCOVERY_TTL_SECONDS = 3600
ALGORITHMS = ["RS256", "PS256", "ES256"]
CLOCK_LEEWAY_SECONDS = 60

_discovery: dict[str, tuple[float, dict, KeySet]] = {}


class SignInRefused(Exception):
    """The sign-in cannot go on; the message is safe to show to the person."""


def configure(*, agency: Agency, issuer: str, client_id: str, client_secret: str, role_claim: str | None = None,
              role_map: dict | None = None, local_passwords_disabled: bool = False,
              actor: User | None = None) -> AgencySso:
    """Set (or replace) the agency's provider; audited as a configuration change."""
    bad_roles = sorted(set((role_map or {}).values()) - set(ROLES))
    if bad_roles:
        raise ServiceError("Unknown roles in the role map.", {"role_map": [f"not a role: {', '.join(bad_roles)}"]})
    config = db.session.scalar(sa.select(AgencySso).where(AgencySso.agency_id == agency.id))
    if config is None:
        config = AgencySso(agency_id=agency.id)
        db.session.add(config)
    config.issuer = issuer.rstrip("/")
    config.client_id = client_id
    config.client_secret_sealed = sealed.seal(client_secret, purpose=SEALED_PURPOSE)
    config.role_claim = role_claim or None
    config.role_map = dict(role_map or {})
    config.local_passwords_disabled = local_passwords_disabled
    db.session.flush()
    audit.record(action="sso.configure", actor=actor, object_type="agency", object_id=agency.id)
    db.session.commit()
    return config


def sign_in_options() -> list[tuple[int, str]]:
    """(agency id, agency name) of every agency with single sign-on, for the login page."""
    return list(db.session.execute(
        sa.select(Agency.id, Agency.name).join(AgencySso, AgencySso.agency_id == Agency.id).order_by(Agency.name)
    ).all())


def _config(agency_id: int) -> AgencySso:
    config = db.session.scalar(sa.select(AgencySso).where(AgencySso.agency_id == agency_id))
    if config is None:
        raise SignInRefused("Single sign-on is not set up for this agency.")
    return config


def _provider(config: AgencySso) -> tuple[dict, KeySet]:
    cached = _discovery.get(config.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1], cached[2]
    try:
        document = requests.get(f"{config.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT).json()
        if document.get("issuer", "").rstrip("/") != config.issuer:
            raise SignInRefused("The sign-in provider answered with another issuer; ask your administrator.")
        keys = KeySet.import_key_set(requests.get(document["jwks_uri"], timeout=HTTP_TIMEOUT).json())
    except (requests.RequestException, ValueError, KeyError, JoseError) as error:
        raise SignInRefused("The sign-in provider cannot be reached; try again or use your password.") from error
    _discovery[config.issuer] = (time.monotonic(), document, keys)
    return document, keys


def _client(config: AgencySso, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        config.client_id, sealed.unseal(config.client_secret_sealed, purpose=SEALED_PURPOSE),
        scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256",
    )


def begin(*, agency_id: int, redirect_uri: str) -> tuple[str, dict]:
    """The provider's authorization URL, and what the browser session must keep until the callback."""
    config = _config(agency_id)
    document, _ = _provider(config)
    pending = {"agency": agency_id, "state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
               "verifier": secrets.token_urlsafe(64), "at": time.time()}
    url, _ = _client(config, redirect_uri).create_authorization_url(
        document["authorization_endpoint"], state=pending["state"], nonce=pending["nonce"],
        code_verifier=pending["verifier"],
    )
    return url, pending


def finish(*, pending: dict, answer: dict, redirect_uri: str, max_age_seconds: int = 600) -> User:
    """The MHU user for the provider's answer to begin(); SignInRefused with a reason otherwise."""
    if answer.get("error"):
        raise SignInRefused("The sign-in provider did not sign you in.")
    if not secrets.compare_digest(str(answer.get("state", "")), pending["state"]):
        raise SignInRefused("This sign-in does not match the one started here; start again.")
    if time.time() - pending["at"] > max_age_seconds:
        raise SignInRefused("The sign-in took too long; start again.")
    config = _config(pending["agency"])
    document, keys = _provider(config)
    try:
        token = _client(config, redirect_uri).fetch_token(
            document["token_endpoint"], code=answer.get("code", ""), code_verifier=pending["verifier"],
            grant_type="authorization_code", timeout=HTTP_TIMEOUT,
        )
        claims = _verified_claims(token.get("id_token", ""), config, keys, pending["nonce"])
    except (OAuth2Error, requests.RequestException, JoseError, ValueError) as error:
        audit.record(action="login.sso", actor=None, object_type="agency", object_id=config.agency_id,
                     outcome="failure", commit=True)
        raise SignInRefused("The sign-in could not be verified; ask your administrator.") from error
    return _signed_in_user(config, claims)


def _verified_claims(id_token: str, config: AgencySso, keys: KeySet, nonce: str) -> dict:
    claims = jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims
    jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(claims)
    return claims


def _mapped_role(config: AgencySso, claims: dict) -> str | None:
    if not config.role_claim:
        return None
    values = claims.get(config.role_claim)
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, str) and value in config.role_map:
            return config.role_map[value]
    return None


def _signed_in_user(config: AgencySso, claims: dict) -> User:
    user = db.session.scalar(
        sa.select(User).join(SsoIdentity, SsoIdentity.user_id == User.id)
        .where(SsoIdentity.issuer == config.issuer, SsoIdentity.subject == str(claims["sub"]))
    )
    role = _mapped_role(config, claims)
    email = claims.get("email") if claims.get("email_verified") is True else None
    if user is None and email:
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None and email and role:
        user = users.create_user(email=email, password=secrets.token_urlsafe(48), role=role,
                                 agency=db.session.get(Agency, config.agency_id),
                                 display_name=claims.get("name"))
    if user is None or user.agency_id != config.agency_id:
        _refuse(config, None, "No MHU account matches this sign-in; ask your administrator.")
    if not user.active:
        _refuse(config, user, "This account is deactivated.")
    if config.role_claim and role is None:
        _refuse(config, user, "Your sign-in provider gives you no MHU role; ask your administrator.")
    if role and role != user.role:
        users.change_role(user=user, role=role, actor=None)
    if db.session.scalar(sa.select(SsoIdentity.id).where(SsoIdentity.user_id == user.id,
                                                         SsoIdentity.issuer == config.issuer)) is None:
        db.session.add(SsoIdentity(user_id=user.id, issuer=config.issuer, subject=str(claims["sub"])))
    audit.record(action="login.sso", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    return user


def _refuse(config: AgencySso, user: User | None, reason: str):
    audit.record(action="login.sso", actor=user, object_type="agency", object_id=config.agency_id,
                 outcome="refused", commit=True)
    raise SignInRefused(reason)

"""A real OpenID Connect provider for the single sign-on tests, built from Authlib's server
components and served over HTTP on a loopback port: discovery, JWKS, an authorization endpoint with
PKCE (S256 required) and a token endpoint that signs RS256 ID tokens. Nothing is mocked: MHU talks
to it exactly as it would to an agency's Entra ID, Okta or Keycloak.

Who signs in is set by the test (`provider.person = {...}`), as if that person had typed their
password at the provider. Two knobs make the provider misbehave on purpose: `audience` (sign ID
tokens for another client) and `lifetime` (negative: an already expired ID token).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify
from joserfc.jwk import RSAKey

from tests.support.live import serving


@dataclass
class Client:
    client_id: str
    client_secret: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(part for part in scope.split() if part in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(("http://127.0.0.1:", "http://localhost/"))

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post") if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return ["pwd", "mfa"]


class Provider:
    """The provider's state; `url` is set while it is served."""

    def __init__(self, client_id: str, client_secret: str):
        self.client = Client(client_id, client_secret)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, Code] = {}
        self.person: dict = {}
        self.audience: str | None = None
        self.lifetime = 300
        self.url = ""

    def app(self) -> Flask:
        provider = self
        app = Flask("oidc-provider")

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                provider.codes[code] = Code(
                    code=code, client_id=req.client.client_id, redirect_uri=req.payload.redirect_uri,
                    scope=req.scope, person=dict(provider.person), nonce=req.payload.data.get("nonce"),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client):
                now = int(time.time())
                return {"iss": provider.url, "aud": [provider.audience or client.client_id], "iat": now,
                        "exp": now + provider.lifetime}

            def exists_nonce(self, nonce, req):
                return any(code.nonce == nonce for code in provider.codes.values())

            def generate_user_info(self, user, scope):
                return UserInfo(**user)

        server = AuthorizationServer(
            app, query_client=lambda client_id: provider.client if client_id == provider.client.client_id else None,
            save_token=lambda token, req: None,
        )
        server.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=provider.url, authorization_endpoint=f"{provider.url}/authorize",
                token_endpoint=f"{provider.url}/token", jwks_uri=f"{provider.url}/jwks",
                response_types_supported=["code"], subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"], code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            # The person has signed in at the provider (the test chose who): grant at once.
            grant = server.get_consent_grant(end_user=provider.person)
            return server.create_authorization_response(grant=grant, grant_user=provider.person)

        @app.post("/token")
        def token():
            return server.create_token_response()

        return app

    def serve(self):
        """Serve on a loopback port; a context manager yielding the provider with `url` set."""
        provider = self

        class _Serving:
            def __enter__(self):
                self._context = serving(provider.app())
                provider.url = self._context.__enter__()
                return provider

            def __exit__(self, *exc):
                return self._context.__exit__(*exc)

        return _Serving()

    def signed_in_request(self, authorization_url: str) -> str:
        """Follow the authorization URL as the browser would; the redirect back to MHU."""
        import requests

        answer = requests.get(authorization_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

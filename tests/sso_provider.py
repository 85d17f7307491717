"""A small OpenID Connect provider for tests, served over loopback on a random port.

It speaks the parts of the protocol the portal uses, with real RSA-signed ID tokens:
discovery, authorize (answers at once with a code, as if the person had signed in),
token (authorisation code, client secret and PKCE checked), JWKS and userinfo.
Tests set ``claims`` for the person who signs in, and may spoil the next ID token through
``id_token_overrides`` or ``signing_key`` to see that the portal refuses it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@functools.cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key made once per test run for each name (making one takes a while)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TestProvider:
    """The provider's state; ``start()`` serves it, ``stop()`` ends the server thread."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, client_id: str = "coe-portal", client_secret: str = "test-only"):  # noqa: S107
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa_key("provider")
        self.kid = "test-key-1"
        self.claims: dict[str, Any] = {}
        # For refusal tests: the next ID tokens are signed with this key (same kid) or get
        # these claims on top of the usual ones.
        self.signing_key: rsa.RSAPrivateKey | None = None
        self.id_token_overrides: dict[str, Any] = {}
        self.userinfo_overrides: dict[str, Any] = {}
        self.requests: list[str] = []  # paths asked, in order
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> TestProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                provider._handle(self, "GET")

            def do_POST(self):
                provider._handle(self, "POST")

            def log_message(self, format, *args):  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def jwks(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # -- HTTP ------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        self.requests.append(url.path)
        routes = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/authorize"): self._authorize,
            ("POST", "/token"): self._token,
            ("GET", "/jwks"): lambda h, q: (200, self.jwks()),
            ("GET", "/userinfo"): self._userinfo,
        }
        route = routes.get((method, url.path))
        if route is None:
            return self._send(handler, 404, {"error": "not_found"})
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        result = route(handler, query)
        if result is not None:
            self._send(handler, *result)

    @staticmethod
    def _send(handler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _discovery(self, handler, query):
        return 200, {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _authorize(self, handler, query):
        """Signs the person in at once: back to redirect_uri with a code and the state."""
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"),
            "scope": query.get("scope", ""),
        }
        location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return None

    def _client_authenticated(self, handler, form: dict[str, str]) -> bool:
        basic = handler.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id"), form.get("client_secret")
        return client_id == self.client_id and secret == self.client_secret

    def _token(self, handler, query):
        length = int(handler.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        if not self._client_authenticated(handler, form):
            return 401, {"error": "invalid_client"}
        grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        claims = dict(self.claims)
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = claims
        now = int(time.time())
        id_claims = {
            "iss": self.issuer,
            "sub": claims["sub"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.id_token_overrides,
        }
        id_token = jwt.encode(
            id_claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def _userinfo(self, handler, query):
        auth = handler.headers.get("Authorization", "")
        claims = self._access_tokens.get(auth.removeprefix("Bearer "))
        if not auth.startswith("Bearer ") or claims is None:
            return 401, {"error": "invalid_token"}
        return 200, {**claims, **self.userinfo_overrides}


ROLE_MAP = "coe-admins=CoE admin,coe-reviewers=CoE reviewer,champions=Department champion"


def point_portal_at(settings, provider: TestProvider, role_map: str = ROLE_MAP) -> None:
    """Configure the portal (pytest-django's ``settings``) as the README says: issuer,
    client id and secret and a role map; the endpoints come from discovery."""
    from django.core.cache import cache

    from coe_portal import sso
    from coe_portal.sso_config import parse_role_map

    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ROLE_MAP = parse_role_map(role_map)
    settings.AUTHENTICATION_BACKENDS = [
        "coe_portal.sso.PortalOIDCBackend",
        "coe_portal.backends.PortalModelBackend",
    ]
    # The port is new for every provider, but the cache may be a Redis shared between runs.
    cache.delete(sso._discovery_cache_key(provider.issuer))

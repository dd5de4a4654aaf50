"""OpenID Connect access tokens (Keycloak, Entra ID, ...): a JWT signed by the issuer's key.

The signature is checked against the issuer's published keys (JWKS, fetched with PyJWT's
`PyJWKClient` and cached), and so are the issuer, the audience and the expiry. The caller's
subject is a configured claim (`sub` by default) and their role comes from a configured
claim holding role names (`roles` for Entra ID app roles, `realm_access.roles` for a Keycloak
realm), mapped to Carepath's roles. A token naming no Carepath role, or more than one, is
refused: one token acts in one role.
"""

import asyncio
import json
import logging
import re
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from carepath_contracts.values import IDENTIFIER_PATTERN
from carepath_runtime.auth import ROLES, Caller

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
"""Asymmetric signatures only: never `none`, never a shared-secret HMAC."""
MIN_REFRESH_INTERVAL_S = 60.0
"""An unknown key id fetches the issuer's keys again at most this often (key rotation), so
tokens with made-up key ids cannot make us hammer the issuer."""
LEEWAY_S = 30
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str = ""
    """Empty: taken from the issuer's `/.well-known/openid-configuration`."""
    subject_claim: str = "sub"
    roles_claim: str = "roles"
    role_map: Mapping[str, str] = field(default_factory=dict)
    """Role names in the token -> Carepath roles; empty: the token names Carepath's roles."""
    jwks_cache_s: float = 300.0


class OidcVerifier:
    def __init__(self, config: OidcConfig, *, clock: Any = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._client: PyJWKClient | None = None
        self._last_refresh = float("-inf")

    async def caller_of(self, token: str) -> Caller | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = await asyncio.to_thread(self._signing_key, kid)
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._config.audience,
                issuer=self._config.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, OSError, ValueError) as error:
            log.info("access token refused: %s", type(error).__name__)
            return None
        return self._caller(claims)

    def _caller(self, claims: Mapping[str, Any]) -> Caller | None:
        subject = claims.get(self._config.subject_claim)
        if not isinstance(subject, str) or not re.fullmatch(IDENTIFIER_PATTERN, subject):
            log.info("access token refused: its subject is not a Carepath id")
            return None
        names = _names(_claim(claims, self._config.roles_claim))
        roles = {role for name in names if (role := self._carepath_role(name)) is not None}
        if len(roles) != 1:
            log.info("access token refused: it names %d Carepath roles, not one", len(roles))
            return None
        return Caller(subject, roles.pop())

    def _carepath_role(self, name: str) -> str | None:
        if self._config.role_map:
            return self._config.role_map.get(name)
        return name if name in ROLES else None

    def _signing_key(self, kid: str | None) -> PyJWK | None:
        """The issuer's key with this id; the keys are fetched again (rotation) at most once
        a minute when the id is unknown."""
        client = self._jwks_client()
        found = _with_id(client.get_jwk_set(), kid)
        if found is None and self._clock() - self._last_refresh >= MIN_REFRESH_INTERVAL_S:
            self._last_refresh = self._clock()
            found = _with_id(client.get_jwk_set(refresh=True), kid)
        return found

    def _jwks_client(self) -> PyJWKClient:
        if self._client is None:
            url = self._config.jwks_url or _discovered_jwks_url(self._config.issuer)
            self._client = PyJWKClient(
                url, cache_jwk_set=True, lifespan=self._config.jwks_cache_s, timeout=FETCH_TIMEOUT_S
            )
            self._last_refresh = self._clock()
        return self._client


def _with_id(keys: Any, kid: str | None) -> PyJWK | None:
    if kid is None:  # a token without a key id: only an issuer with one key can have signed it
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((key for key in keys.keys if key.key_id == kid), None)


def _discovered_jwks_url(issuer: str) -> str:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:
        return str(json.load(response)["jwks_uri"])


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path (`realm_access.roles`)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []

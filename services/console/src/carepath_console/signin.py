"""Signing in with a Carepath token: the same tokens and roles as the services' APIs.

A person pastes their token (a static token, or an OpenID Connect access token from the
hospital's identity provider); the console checks it with the runtime's `Authenticator`
(the services' `TOKENS` / `OIDC_*` settings) and opens a sign-in kept in memory. The browser
holds only a random session id in an HttpOnly, SameSite=Strict cookie (Secure over TLS); the
token stays on the server, and every call to a service is made with it, so each service
decides for itself what this person may see. Every form carries the sign-in's CSRF token."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from carepath_runtime.auth import Caller

COOKIE = "carepath_console"
LOGIN_COOKIE = "carepath_console_login"  # the sign-in form's own CSRF token (double submit)
ROLES = ("clinician", "operator")
"""Who the console is for; an integration token is a system's, not a person's."""


@dataclass(frozen=True, slots=True)
class SignIn:
    caller: Caller
    token: str = field(repr=False)
    csrf: str = field(repr=False)
    expires_at: float

    def csrf_matches(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(self.csrf, presented)


class SignIns:
    """Open sign-ins by the digest of their session id (a memory dump shows no usable id)."""

    def __init__(self, lifetime_s: float, *, clock=time.monotonic) -> None:
        self._lifetime_s = lifetime_s
        self._clock = clock
        self._open: dict[str, SignIn] = {}

    def open(self, caller: Caller, token: str) -> tuple[str, SignIn]:
        self._forget_expired()
        session_id = secrets.token_urlsafe(32)
        sign_in = SignIn(caller, token, secrets.token_urlsafe(32), self._clock() + self._lifetime_s)
        self._open[_digest(session_id)] = sign_in
        return session_id, sign_in

    def find(self, session_id: str | None) -> SignIn | None:
        if not session_id:
            return None
        sign_in = self._open.get(_digest(session_id))
        if sign_in is None or sign_in.expires_at <= self._clock():
            return None
        return sign_in

    def close(self, session_id: str | None) -> None:
        if session_id:
            self._open.pop(_digest(session_id), None)

    def _forget_expired(self) -> None:
        now = self._clock()
        for key in [key for key, sign_in in self._open.items() if sign_in.expires_at <= now]:
            del self._open[key]


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()

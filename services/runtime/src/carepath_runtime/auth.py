"""Who is calling: a bearer token becomes a `Caller` (subject and role), or it is refused.

Two kinds of token are accepted: static tokens (configured with a subject and a role, kept
only as SHA-256 digests, compared in constant time) and, when an issuer is configured,
OpenID Connect access tokens (see `oidc.py`). The request gate (`gate.py`) authenticates
every request before its body is read and leaves the caller in the request's state, where
a route takes it with a `CurrentCaller` parameter.
"""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from carepath_contracts.values import IDENTIFIER_PATTERN

ROLES = ("clinician", "integration", "operator")
Role = Literal["clinician", "integration", "operator"]
Subject = Annotated[
    str, Field(pattern=IDENTIFIER_PATTERN, description="Who holds the token (1-64 of A-Za-z0-9_-).")
]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller: `subject` is who acts (a clinician's id goes into events as
    such), `role` decides what they may do."""

    subject: str
    role: str


class StaticToken(BaseModel):
    """One configured token: who holds it, their role, and the token's SHA-256 digest (or, for
    development and tests only, the plain token, hashed at start-up)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Subject
    role: Role
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    token: SecretStr | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "StaticToken":
        if (self.sha256 is None) == (self.token is None):
            raise ValueError("give either sha256 (the token's digest) or token, not both")
        return self

    @property
    def digest(self) -> str:
        if self.token is not None:
            return token_digest(self.token.get_secret_value())
        assert self.sha256 is not None
        return self.sha256.lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenVerifier(Protocol):
    async def caller_of(self, token: str) -> Caller | None:
        """The caller a token stands for, or None when it is not accepted."""
        ...


class StaticTokens:
    """Static tokens, known only by digest."""

    def __init__(self, tokens: Iterable[StaticToken]) -> None:
        self._callers = {token.digest: Caller(token.subject, token.role) for token in tokens}

    async def caller_of(self, token: str) -> Caller | None:
        presented = token_digest(token)
        found = None
        # Every digest is compared, so the time taken says nothing about which one matched.
        for digest, caller in self._callers.items():
            if hmac.compare_digest(digest, presented):
                found = caller
        return found


class Authenticator:
    """Static tokens, and OpenID Connect access tokens (JWTs) when an issuer is configured."""

    def __init__(self, static: StaticTokens, oidc: TokenVerifier | None = None) -> None:
        self._static = static
        self._oidc = oidc

    async def caller_of(self, token: str) -> Caller | None:
        if self._oidc is not None and token.count(".") == 2:
            return await self._oidc.caller_of(token)
        return await self._static.caller_of(token)


def current_caller(request: Request) -> Caller:
    """The caller the request gate authenticated (routes take it as `CurrentCaller`)."""
    caller = getattr(request.state, "caller", None)
    if caller is None:  # a public route asked for a caller: a wiring mistake, never served
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required")
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]
"""A route parameter: `caller: CurrentCaller`. Whoever records a clinical act takes the
acting clinician from here (`caller.subject`), never from the request body."""

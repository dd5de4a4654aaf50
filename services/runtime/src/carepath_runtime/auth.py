"""Bearer tokens: configured per role, kept only as SHA-256 digests, compared in constant time."""

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

_bearer = HTTPBearer(auto_error=False, description="Carepath bearer token")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenRoles:
    """Which role a presented token has, knowing only digests of the configured tokens."""

    def __init__(
        self, *, hashes: Mapping[str, str], plain: Mapping[str, SecretStr] | None = None
    ) -> None:
        roles = {digest.lower(): role for digest, role in hashes.items()}
        for role, token in (plain or {}).items():
            roles[token_digest(token.get_secret_value())] = role
        self._roles = roles

    def role_of(self, token: str) -> str | None:
        presented = token_digest(token)
        found = None
        for digest, role in self._roles.items():
            if hmac.compare_digest(digest, presented):
                found = role
        return found


def require_role(tokens: Callable[[], TokenRoles], roles: Iterable[str]) -> Callable[..., object]:
    """A FastAPI dependency: 401 without a valid token, 403 for a role not in `roles`."""
    allowed = frozenset(roles)

    async def check(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> str:
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing bearer token (Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        role = tokens().role_of(credentials.credentials)
        if role is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "unknown bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"role '{role}' may not do this; allowed: {', '.join(sorted(allowed))}",
            )
        return role

    return check

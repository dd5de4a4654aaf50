"""Who may call which route: one table (route x role) per service, plus the runtime's own rows.

A row's key is the route as `"<METHOD> <path template>"`, e.g. `"POST /v1/referrals"`. The
request gate looks every request up here before anything else happens; an app whose routes
are not all in its table is refused at start-up, so no route is ever served unguarded.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import Route

from carepath_runtime.auth import ROLES

FORM_BODY_LIMIT = 16 * 1024
"""A form is a few KB; anything past this is refused with 413 before it is parsed."""


@dataclass(frozen=True, slots=True)
class RouteAccess:
    roles: frozenset[str]
    body_limit: int = 0
    """Largest request body in bytes (0: none expected)."""
    public: bool = False


def allow(*roles: str, body_limit: int = 0) -> RouteAccess:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"roles must be some of {ROLES}, got {roles}")
    return RouteAccess(frozenset(roles), body_limit)


PUBLIC = RouteAccess(frozenset(), public=True)
"""No token: liveness, readiness and the API's own description."""

AccessTable = Mapping[str, RouteAccess]

OPERATIONS: AccessTable = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /metrics": allow("operator"),
    "GET /asyncapi": allow(*ROLES),
}
"""The rows of the routes every service has (`http.py`)."""


def unguarded(app: FastAPI, table: AccessTable) -> list[str]:
    """The routes an app serves that its table has no row for (there must be none): every
    operation of its OpenAPI document, and the routes outside it (the documentation's)."""
    served = [
        f"{method.upper()} {path}"
        for path, operations in app.openapi().get("paths", {}).items()
        for method in operations
    ]
    served += [
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, Route) and not route.include_in_schema
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    return [key for key in served if key not in table]

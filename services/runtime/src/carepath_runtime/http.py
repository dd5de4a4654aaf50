"""The ASGI app of a service: its HTTP routes plus the broker, relay and timers in its lifespan."""

import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.types import ASGIApp, Receive, Scope, Send

from carepath_contracts import SERVICES, asyncapi_document
from carepath_runtime.access import OPERATIONS, AccessTable, unguarded
from carepath_runtime.gate import RequestGate
from carepath_runtime.openapi import NOT_FOUND, declare_security_and_errors
from carepath_runtime.problems import bounded_validation_error
from carepath_runtime.service import ServiceRuntime

# Probes and scrapes every few seconds are not worth a trace each.
UNTRACED_URLS = "/healthz,/readyz,/metrics"


class StartingGate:
    """ASGI: while the runtime's start is under way (waiting for the broker, catching up with
    the clock), the service's own routes answer 503 with the reason; the operations routes
    (health, readiness, metrics, API documents) answer as always."""

    def __init__(self, app: ASGIApp, *, runtime: ServiceRuntime, open_paths: frozenset[str]):
        self._app = app
        self._runtime = runtime
        self._open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self._runtime.start_under_way
            or scope["path"] in self._open_paths
        ):
            await self._app(scope, receive, send)
            return
        response = JSONResponse(
            {
                "detail": "the service is starting and does not serve this route yet: "
                f"{self._runtime.starting or 'stopping'}; see /readyz"
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )
        await response(scope, receive, send)


def _paths_of(table: AccessTable) -> frozenset[str]:
    return frozenset(route.split(" ", 1)[1] for route in table)


# Built once per process: the document depends only on the contracts.
_asyncapi_document = functools.cache(asyncapi_document)


def create_http_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter] = (),
    *,
    access: AccessTable,
    version: str = "1",
) -> FastAPI:
    """The service's routes behind the request gate. `access` is the service's table of who
    may call which of its routes (the runtime adds the rows of its own)."""
    name = runtime.definition.name
    table = {**OPERATIONS, **access}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.prepare()
        # Connecting waits for the broker (and the clock topic) for as long as it takes:
        # meanwhile /readyz says why the service is not ready, and its own routes answer 503.
        runtime.connect_in_background()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=f"Carepath {name}", version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.access = table
    app.add_exception_handler(RequestValidationError, bounded_validation_error)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "alive", "service": name}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "Not ready."}})
    async def readyz() -> JSONResponse:
        """Broker connected, database reachable, partitions assigned, consumer not stalled;
        each failing check with its reason."""
        readiness = await runtime.readiness()
        return JSONResponse(
            {
                "ready": readiness.ready,
                "service": name,
                "checks": readiness.checks,
                "reasons": readiness.reasons,
            },
            status_code=200 if readiness.ready else 503,
        )

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        """Prometheus exposition."""
        await runtime.refresh_gauges()
        return PlainTextResponse(
            runtime.metrics.exposition(), media_type="text/plain; version=0.0.4"
        )

    @app.get("/asyncapi", tags=["operations"], responses=NOT_FOUND)
    async def asyncapi() -> JSONResponse:
        """AsyncAPI 3 document of this service's topics and events (contracts/asyncapi/)."""
        if name not in SERVICES:
            raise HTTPException(404, f"no AsyncAPI document for a service named {name!r}")
        return JSONResponse(_asyncapi_document(name))

    for router in routers:
        app.include_router(router)
    app.add_middleware(RequestGate, access=table, authenticator=lambda: runtime.authenticator)
    app.add_middleware(StartingGate, runtime=runtime, open_paths=_paths_of(OPERATIONS))
    declare_security_and_errors(app, table)
    if runtime.tracing.enabled:
        # Outermost: a request the gate refuses (401/403/413) has its span too. The server
        # span is current in the routes, so what a request emits names it as its cause.
        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=runtime.tracing.provider,
            excluded_urls=UNTRACED_URLS,
            exclude_spans=["receive", "send"],
        )
    if missing := unguarded(app, table):
        raise ValueError(f"routes without a row in the access table: {', '.join(missing)}")
    return app

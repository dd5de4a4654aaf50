"""The ASGI app of a service: its HTTP routes plus the broker, relay and timers in its lifespan."""

import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from carepath_contracts import SERVICES, asyncapi_document
from carepath_runtime.access import OPERATIONS, AccessTable, unguarded
from carepath_runtime.gate import RequestGate
from carepath_runtime.openapi import NOT_FOUND, declare_security_and_errors
from carepath_runtime.problems import bounded_validation_error
from carepath_runtime.service import ServiceRuntime

# Probes and scrapes every few seconds are not worth a trace each.
UNTRACED_URLS = "/healthz,/readyz,/metrics"

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
        await runtime.start()
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

"""The ASGI app of a service: its HTTP routes plus the broker, relay and timers in its lifespan."""

import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Response
from fastapi.responses import JSONResponse

from carepath_contracts import SERVICES, asyncapi_document
from carepath_runtime.auth import require_role
from carepath_runtime.service import ServiceRuntime

ALL_ROLES = ("clinician", "integration", "operator")

# Built once per process: the document depends only on the contracts.
_asyncapi_document = functools.cache(asyncapi_document)


def create_http_app(
    runtime: ServiceRuntime, routers: Sequence[APIRouter] = (), *, version: str = "1"
) -> FastAPI:
    name = runtime.definition.name

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=f"Carepath {name}", version=version, lifespan=lifespan)
    app.state.runtime = runtime
    any_role = Depends(require_role(lambda: runtime.tokens, ALL_ROLES))

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "alive", "service": name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Broker connected, database reachable, partitions assigned."""
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"ready": ready, "service": name, "checks": checks}, status_code=200 if ready else 503
        )

    @app.get("/metrics", tags=["operations"], dependencies=[any_role])
    async def metrics() -> Response:
        """Prometheus exposition."""
        await runtime.refresh_gauges()
        return Response(runtime.metrics.exposition(), media_type="text/plain; version=0.0.4")

    @app.get("/asyncapi", tags=["operations"], dependencies=[any_role])
    async def asyncapi() -> JSONResponse:
        """AsyncAPI 3 document of this service's topics and events (contracts/asyncapi/)."""
        if name not in SERVICES:
            raise HTTPException(404, f"no AsyncAPI document for a service named {name!r}")
        return JSONResponse(_asyncapi_document(name))

    for router in routers:
        app.include_router(router)
    return app

"""The ASGI app of a service: its HTTP routes plus the broker, relay and timers in its lifespan."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.responses import JSONResponse
from faststream.specification import AsyncAPI

from carepath_runtime.auth import require_role
from carepath_runtime.service import ServiceRuntime

ALL_ROLES = ("clinician", "integration", "operator")


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
        """AsyncAPI document of this service's subscriptions and publications."""
        spec = AsyncAPI(runtime.broker, title=f"Carepath {name}", version=version)
        return JSONResponse(spec.to_specification().to_jsonable())

    for router in routers:
        app.include_router(router)
    return app

"""Running a service's app inside a test: runtime started on the real broker, HTTP in-process."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def running(app: FastAPI, token: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's runtime (migrations, broker, relay, timers), yield an HTTP client to it,
    and stop it cleanly afterwards. `token` becomes the client's bearer token."""
    runtime = app.state.runtime
    await runtime.start()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service", headers=headers
        ) as client:
            yield client
    finally:
        await runtime.stop()

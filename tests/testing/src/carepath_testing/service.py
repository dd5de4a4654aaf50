"""Running a service's app inside a test: runtime started on the real broker, HTTP in-process."""

from collections.abc import AsyncIterator, Mapping
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


def static_tokens(by_role: Mapping[str, str]) -> list[dict[str, str]]:
    """A service's `tokens` setting from one plain token per role, held by `<role>-1`."""
    return [
        {"subject": f"{role}-1", "role": role, "token": token} for role, token in by_role.items()
    ]

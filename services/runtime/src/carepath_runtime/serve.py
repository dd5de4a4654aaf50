"""Runs a service's ASGI app under uvicorn; SIGTERM leads to a clean lifespan shutdown."""

import asyncio
import gc
import socket
from collections.abc import Callable
from types import FrameType
from typing import Protocol

import uvicorn
from fastapi import FastAPI

from carepath_runtime.logs import configure_logging


class ServedSettings(Protocol):
    """What serving needs of a process's settings (a service's or the console's)."""

    service_name: str
    log_level: str
    http_host: str
    http_port: int
    shutdown_timeout_s: float


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # What is loaded by now (modules, models, compiled queries) lives as long as the
        # process. Frozen, a full collection no longer walks it: that walk paused the event
        # loop for about 90 ms every few seconds under load, and the alerts queued behind it.
        gc.collect()  # startup's garbage is not kept for good
        gc.freeze()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # uvicorn re-raises the signal after a graceful shutdown, so the process would end
        # "killed by SIGTERM". A stop that completed its shutdown is a clean exit (status 0).
        self._captured_signals.clear()
        if self._on_exit is not None:
            # Long-lived responses (server-sent events) end now, not at the graceful timeout.
            # The signal arrives on the loop's thread, between two of its callbacks.
            asyncio.get_event_loop().call_soon_threadsafe(self._on_exit)


def serve(
    app: FastAPI, settings: ServedSettings, *, on_exit: Callable[[], None] | None = None
) -> None:
    """`on_exit` runs on the server's loop when a stop signal arrives, before the graceful
    shutdown waits for open responses."""
    configure_logging(settings.service_name, settings.log_level)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_s),
    )
    _Server(config, on_exit).run()

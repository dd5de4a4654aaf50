"""Waits until a real Kafka client can list topics on a broker."""

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Coroutine, Mapping
from functools import partial
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from carepath_localkafka.ports import accepts_connections

POLL_INTERVAL_SECONDS = 0.2


async def list_topics(
    bootstrap: str, *, timeout: float = 10.0, client_options: Mapping[str, Any] | None = None
) -> list[str]:
    """The topic names the broker reports; raises if it does not answer within `timeout`.

    `client_options`: aiokafka security options (TLS, SASL) for a secure broker."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout * 1000),
        **(client_options or {}),
    )
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
            return await admin.list_topics()
    finally:
        await admin.close()


def run_coroutine_blocking(make_coroutine: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Runs a coroutine to completion from sync code, even if this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    # Called from inside an event loop (e.g. an async test): use a private loop in a thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def wait_until_listable(
    host: str,
    port: int,
    *,
    timeout: float,
    still_running: Callable[[], bool] = lambda: True,
    client_options: Mapping[str, Any] | None = None,
) -> bool:
    """Polls until topics can be listed (True), the process died or time ran out (False)."""
    bootstrap = f"{host}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not still_running():
            return False
        # A plain TCP probe first keeps aiokafka from logging connection errors while the JVM boots.
        if accepts_connections(port, host):
            attempt_timeout = max(1.0, min(10.0, deadline - time.monotonic()))
            try:
                run_coroutine_blocking(
                    partial(
                        list_topics,
                        bootstrap,
                        timeout=attempt_timeout,
                        client_options=client_options,
                    )
                )
                return True
            except Exception:
                # Listener open but metadata not served yet: poll again.
                pass
        time.sleep(POLL_INTERVAL_SECONDS)
    return False

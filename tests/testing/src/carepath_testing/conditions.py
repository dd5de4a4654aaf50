"""Waiting in tests on a condition with a timeout, never on a fixed sleep."""

import asyncio
import time
from collections.abc import Awaitable, Callable

POLL_INTERVAL_S = 0.02


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]],
    *,
    timeout: float = 30.0,
    what: str = "condition",
) -> None:
    """Returns as soon as `condition()` is true; raises TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout}s")
        await asyncio.sleep(POLL_INTERVAL_S)


def metric_total(registry, name: str) -> float:
    """Sum of every sample called `name` (all label values)."""
    return sum(
        sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == name
    )


def app_metric_total(app, name: str) -> float:
    """`metric_total` of a service app's own registry."""
    return metric_total(app.state.runtime.metrics.registry, name)

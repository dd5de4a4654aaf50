"""Waiting for at most a while without raising: on an asyncio event (backoffs, polls), or
on a condition that can only be polled (another process ending)."""

import asyncio
import time
from collections.abc import Callable


async def wait_until_set(event: asyncio.Event, timeout: float) -> bool:
    """True if the event was set within the timeout."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    return True


def poll_until(condition: Callable[[], bool], *, timeout: float, interval: float) -> bool:
    """True as soon as `condition()` holds, False if it still does not after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True

"""Waiting on a condition that can only be polled (another process starting or ending)."""

import time
from collections.abc import Callable


def poll_until(condition: Callable[[], bool], *, timeout: float, interval: float) -> bool:
    """True as soon as `condition()` holds, False if it still does not after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True

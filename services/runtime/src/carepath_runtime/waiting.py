"""Waiting for at most a while without raising, on an asyncio event (backoffs, polls)."""

import asyncio


async def wait_until_set(event: asyncio.Event, timeout: float) -> bool:
    """True if the event was set within the timeout."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    return True

"""Riding through a restart, as any outside system must: retry what may succeed later.

A service being restarted (or its broker) answers a connection error or a 5xx for a few
seconds. Intake's and follow-up's forms are idempotent (a referral by its external id, a
screening by its content, a withdrawal changes nothing the second time), so a post is simply
sent again with backoff. A repeat of a decision that did reach the service before the error
(a review approval, a review outcome) answers 409; after an ambiguous attempt that counts as
done.
"""

import asyncio
import logging
from typing import Any

import httpx

from carepath_runtime.errors import CarepathError

log = logging.getLogger(__name__)

FIRST_DELAY_S = 0.2
MAX_DELAY_S = 5.0
GIVE_UP_AFTER_S = 300.0


class PortalError(CarepathError):
    """A service refused what the simulated outside world sent."""


async def post_form(
    client: httpx.AsyncClient,
    path: str,
    form: dict[str, Any],
    headers: dict[str, str],
    *,
    give_up_after_s: float = GIVE_UP_AFTER_S,
) -> Any:
    """POST until the service answers (not 5xx); returns the reply's JSON (None after a 409
    that repeats an attempt that may have gone through)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after_s
    delay = FIRST_DELAY_S
    ambiguous = False
    while True:
        try:
            response = await client.post(path, json=form, headers=headers)
        except httpx.TransportError as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            if response.status_code < 300:
                return response.json()
            if response.status_code == 409 and ambiguous:
                return None  # the earlier attempt went through: the decision is recorded
            if response.status_code < 500:
                raise PortalError(f"POST {path} -> {response.status_code}: {response.text[:300]}")
            problem = f"{response.status_code}: {response.text[:200]}"
        ambiguous = True
        if loop.time() + delay > deadline:
            raise PortalError(f"POST {path} failed for {give_up_after_s:.0f}s: {problem}")
        log.info("POST %s failed (%s); again in %.1fs", path, problem, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_DELAY_S)

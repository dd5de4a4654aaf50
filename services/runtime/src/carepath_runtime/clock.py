"""Where every service gets the time: the system clock in production, a movable one in tests."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

from carepath_runtime.waiting import wait_until_set


class Clock(Protocol):
    """Tells the current time (always timezone-aware UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; waiters can learn that it moved."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError(f"time only moves forward, got {delta}")
        return self.set(self._now + delta)

    def set(self, moment: datetime) -> datetime:
        moment = moment.astimezone(UTC)
        if moment < self._now:
            raise ValueError(f"time only moves forward: {moment} is before {self._now}")
        self._now = moment
        self._moved.set()
        return self._now

    async def wait_moved(self, timeout: float) -> bool:
        """Wait until the clock moves (or the timeout passes); True if it moved."""
        moved = await wait_until_set(self._moved, timeout)
        self._moved.clear()
        return moved


def is_manual(clock: Clock) -> bool:
    return isinstance(clock, ManualClock)


__all__ = ["Clock", "ManualClock", "SystemClock", "is_manual"]

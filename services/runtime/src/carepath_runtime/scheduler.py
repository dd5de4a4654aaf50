"""Fires durable timers when the clock passes their due time, each in its own transaction."""

import asyncio
import logging
from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from carepath_runtime import timers
from carepath_runtime.clock import Clock, ManualClock
from carepath_runtime.database import transaction
from carepath_runtime.errors import is_transient
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.timers import TimerHandler
from carepath_runtime.tracing import Tracing
from carepath_runtime.unit_of_work import UnitOfWork
from carepath_runtime.waiting import wait_until_set

log = logging.getLogger(__name__)


class TimerScheduler:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        topic_prefix: str,
        source: str,
        handlers: Mapping[str, TimerHandler],
        metrics: ServiceMetrics,
        on_committed: Callable[[], None],
        tracing: Tracing | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._topic_prefix = topic_prefix
        self._source = source
        self._handlers = dict(handlers)
        self._metrics = metrics
        self._on_committed = on_committed
        self._tracing = tracing or Tracing()
        self._lock = asyncio.Lock()

    async def fire_due(self) -> int:
        """Fire every timer due by now, strictly in due order; returns how many fired.

        One timer at a time, looking again after each: a fired timer may schedule another
        that is already due (a clock moved far ahead) and must fire before later ones.
        """
        fired = 0
        async with self._lock:
            while True:
                async with transaction(self._sessions) as session:
                    due = await timers.due_timers(session, self._clock.now(), 1)
                if not due:
                    return fired
                fired += await self._fire(due[0])
                self._on_committed()

    async def _fire(self, timer: timers.Timer) -> int:
        handler = self._handlers.get(timer.kind)
        try:
            async with transaction(self._sessions) as session:
                if not await timers.mark_fired(session, timer.id, at=self._clock.now()):
                    return 0  # cancelled meanwhile, or fired by another replica
                if handler is None:
                    log.error("no handler for timer kind %r (%s)", timer.kind, timer.timer_key)
                    self._metrics.failed.labels(kind="timer").inc()
                    return 0
                unit = UnitOfWork(session, self._clock, self._topic_prefix, source=self._source)
                with self._tracing.firing(timer):
                    await handler(unit, timer)
                    await unit.flush()
        except Exception as error:
            if is_transient(error):
                raise
            # A timer that can never fire must not block the others: it is set aside (marked
            # fired) and stays visible in the error log and the failure metric.
            log.exception("timer %s (%s) failed: %r", timer.timer_key, timer.kind, error)
            self._metrics.failed.labels(kind="timer").inc()
            async with transaction(self._sessions) as session:
                await timers.mark_fired(session, timer.id, at=self._clock.now())
            return 0
        self._metrics.timers_fired.labels(kind=timer.kind).inc()
        return 1

    async def run(
        self, stopping: asyncio.Event, poll_interval_s: float, max_delay_s: float
    ) -> None:
        failures = 0
        while not stopping.is_set():
            try:
                await self.fire_due()
                failures = 0
            except Exception as error:
                failures += 1
                delay = min(0.2 * 2**failures, max_delay_s)
                log.warning("timer pass failed (%r); retrying in %.1fs", error, delay)
                await wait_until_set(stopping, delay)
                continue
            if isinstance(self._clock, ManualClock):
                await self._clock.wait_moved(poll_interval_s)
            else:
                await wait_until_set(stopping, poll_interval_s)

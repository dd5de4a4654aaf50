"""Turns a batch of consumed records into committed state, outbox rows and dead letters.

For each batch: decode every record; in ONE database transaction skip the events the inbox
has seen, run each new event's handler, write what the handlers buffered (one statement
for all their outbox rows, say) and record them all in the inbox; commit; publish
dead letters; only then may the caller commit the Kafka offsets. So an offset is never
committed before the state it produced, a redelivered event is skipped by the inbox, and a
poison record is set aside with its reason while the rest of the partition moves on.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from aiokafka import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from carepath_runtime import inbox
from carepath_runtime.clock import Clock
from carepath_runtime.codec import decode_record
from carepath_runtime.database import transaction
from carepath_runtime.deadletters import DeadLetterQueue
from carepath_runtime.errors import (
    ShuttingDownError,
    as_rule_violation,
    is_permanent,
    is_transient,
    reason_of,
)
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.tracing import Tracing
from carepath_runtime.unit_of_work import UnitOfWork
from carepath_runtime.waiting import wait_until_set

log = logging.getLogger(__name__)

T = TypeVar("T")

Handler = Callable[[UnitOfWork, Any], Awaitable[None]]
"""`async def handle(unit_of_work, event)`: load state, decide, store, emit."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    initial_delay_s: float
    max_delay_s: float
    unexpected_error_attempts: int

    def delay(self, attempt: int) -> float:
        """Exponential backoff, doubling from the initial delay up to the bound."""
        return min(self.initial_delay_s * 2 ** max(attempt - 1, 0), self.max_delay_s)


class _RetryBatch(Exception):
    """Internal: the whole batch must be tried again after a backoff."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(repr(cause))
        self.cause = cause


class _RedoBatch(Exception):
    """Internal: an event failed for good and is set aside; redo the batch at once without it.

    The fast path runs a whole batch in one transaction without savepoints; failures are
    rare, so redoing the others is cheaper than a savepoint around every event.
    """


@dataclass
class _Handled:
    types: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


@dataclass
class _Attempts:
    """What earlier attempts at one batch learned, for the next attempt."""

    failures: dict[int, BaseException]  # by index in the batch: set aside for good
    unexpected: dict[int, int] = field(default_factory=dict)  # unclassified errors so far
    flush_each_event: bool = False  # a buffered write failed: find out whose it was


Prefetch = Callable[[UnitOfWork, Sequence[Any]], Awaitable[None]]
"""`async def prefetch(unit_of_work, events)`: load what a batch needs in few queries."""


class EventProcessor:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        topic_prefix: str,
        source: str,
        handlers: Mapping[str, Handler],
        dead_letters: DeadLetterQueue,
        metrics: ServiceMetrics,
        retry: RetryPolicy,
        on_committed: Callable[[], None],
        stopping: asyncio.Event,
        prefetch: Prefetch | None = None,
        refusals: tuple[type[Exception], ...] = (),
        tracing: Tracing | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._topic_prefix = topic_prefix
        self._source = source
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._retry = retry
        self._on_committed = on_committed
        self._stopping = stopping
        self._prefetch = prefetch
        self._refusals = refusals
        self._tracing = tracing or Tracing()
        self._rewinds = 0  # consecutive rewinds of the batch in hand
        self._in_hand_since: float | None = None  # monotonic; None: no batch left unfinished

    def stalled_for(self) -> float:
        """Seconds the batch in hand (or the one rewound, not yet committed) has been waiting
        to be committed; 0 when every batch consumed so far is committed."""
        if self._in_hand_since is None:
            return 0.0
        return time.monotonic() - self._in_hand_since

    async def back_off_after(self, error: Exception) -> None:
        """An error left a batch (the caller rewinds it): count it, log it, wait the backoff."""
        self._rewinds += 1
        delay = self._retry.delay(self._rewinds)
        self._metrics.rewinds.inc()
        log.error(
            "batch rewound after %s: %s; retry %d in %.2fs",
            type(error).__name__,
            reason_of(error),
            self._rewinds,
            delay,
            exc_info=error,
        )
        await wait_until_set(self._stopping, delay)

    @property
    def handled_types(self) -> list[str]:
        return sorted(self._handlers)

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        """Handle a batch completely, or raise ShuttingDownError having committed nothing new."""
        started = time.perf_counter()
        if self._in_hand_since is None:
            self._in_hand_since = time.monotonic()
        decoded: list[Any] = []
        failures: dict[int, BaseException] = {}
        for index, record in enumerate(records):
            try:
                decoded.append(decode_record(record))
            except Exception as error:  # only permanent ones: codec.decode wraps the others
                decoded.append(None)
                failures[index] = error
                self._metrics.failed.labels(kind="permanent").inc()

        attempts = _Attempts(failures)
        handled = await self._with_retries(lambda: self._handle_batch(records, decoded, attempts))
        for event_type in handled.types:
            self._metrics.consumed.labels(event_type=event_type).inc()
        for event_type in handled.duplicates:
            self._metrics.duplicates.labels(event_type=event_type).inc()
        if failures:
            dead = [(records[index], failures[index]) for index in sorted(failures)]
            await self._with_retries(lambda: self._dead_letters.send(dead, self._clock.now()))
            for record, error in dead:
                self._metrics.dead_lettered.labels(error_class=type(error).__name__).inc()
                log.error(
                    "dead-lettered %s[%d]@%d to %s: %s: %s",
                    record.topic,
                    record.partition,
                    record.offset,
                    self._dead_letters.topic,
                    type(error).__name__,
                    reason_of(error),
                )
        self._in_hand_since = None
        self._rewinds = 0
        self._on_committed()
        self._metrics.handler_latency.observe(time.perf_counter() - started)

    async def _with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Retry transient failures with bounded exponential backoff until stopping."""
        failures = 0
        while True:
            if self._stopping.is_set():
                raise ShuttingDownError("stopping: batch left uncommitted for redelivery")
            try:
                return await attempt()
            except _RedoBatch:
                continue
            except Exception as error:
                cause = error.cause if isinstance(error, _RetryBatch) else error
                if not isinstance(error, _RetryBatch) and not is_transient(error):
                    raise
                failures += 1
                delay = self._retry.delay(failures)
                self._metrics.failed.labels(
                    kind="transient" if is_transient(cause) else "unexpected"
                ).inc()
                log.warning("batch failed (%r); retry %d in %.2fs", cause, failures, delay)
                await wait_until_set(self._stopping, delay)

    async def _handle_batch(
        self,
        records: Sequence[ConsumerRecord],
        decoded: list[Any],
        attempts: _Attempts,
    ) -> _Handled:
        """One transaction for the batch; raises _RedoBatch or _RetryBatch to go again."""
        handled = _Handled()
        async with transaction(self._sessions) as session:
            unit = UnitOfWork(session, self._clock, self._topic_prefix, source=self._source)
            candidates = [
                (index, record, event)
                for index, (record, event) in enumerate(zip(records, decoded, strict=True))
                # Types this service does not consume share some topics: skipped, committed.
                if event is not None
                and index not in attempts.failures
                and event.type in self._handlers
            ]
            seen = await inbox.processed_among(session, {event.id for _, _, event in candidates})
            fresh = []
            for index, record, event in candidates:
                if event.id in seen:
                    if inbox.conflicts(seen[event.id], event):
                        # Not a repeat: other content under a known id is set aside, never
                        # silently dropped (nor handled, which would act on it twice).
                        attempts.failures[index] = inbox.EventIdConflictError(event.id)
                        self._metrics.failed.labels(kind="permanent").inc()
                    else:
                        handled.duplicates.append(event.type)
                    continue
                # A record produced twice can arrive twice in one batch.
                seen[event.id] = inbox.content_hash(event)
                fresh.append((index, record, event))
            if self._prefetch and fresh:
                await self._prefetch(unit, [event for _, _, event in fresh])
            for index, record, event in fresh:
                handler = self._handlers[event.type]
                try:
                    with self._tracing.consuming(event, record, handler):
                        await handler(unit, event)
                        if attempts.flush_each_event:
                            await unit.flush()
                except Exception as error:
                    refused = as_rule_violation(error, self._refusals)
                    self._route_failure(index, event, refused, attempts)
                handled.types.append(event.type)
            try:
                await unit.flush()
            except Exception as error:
                if is_transient(error):
                    raise
                # A buffered row failed and cannot say whose it was: go again flushing after
                # each event, so the failure is routed as that event's own.
                attempts.flush_each_event = True
                raise _RedoBatch from error
            await inbox.record_processed(
                session,
                [
                    (event, record.topic, record.partition, record.offset)
                    for _, record, event in fresh
                ],
                at=self._clock.now(),
            )
        return handled

    def _route_failure(
        self,
        index: int,
        event: Any,
        error: Exception,
        attempts: _Attempts,
    ) -> NoReturn:
        """The batch's transaction is lost either way; decide how to go again."""
        if is_transient(error):
            raise _RetryBatch(error) from error
        if not is_permanent(error):
            attempts.unexpected[index] = attempts.unexpected.get(index, 0) + 1
            if attempts.unexpected[index] < self._retry.unexpected_error_attempts:
                raise _RetryBatch(error) from error
            log.exception("handler kept failing on %s; dead-lettering", event.type)
        attempts.failures[index] = error
        self._metrics.failed.labels(kind="permanent").inc()
        raise _RedoBatch from error

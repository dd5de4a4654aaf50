"""The outbox: events a handler emits are rows in its transaction; a relay publishes them.

A crash between the database commit and the publish loses nothing: unsent rows stay unsent
until the relay (in this process or after a restart) has the broker's acknowledgement.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from carepath_runtime.clock import Clock
from carepath_runtime.database import is_postgres, transaction
from carepath_runtime.faults import crash_point
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.publisher import RecordPublisher
from carepath_runtime.records import OutgoingRecord
from carepath_runtime.tables import outbox
from carepath_runtime.waiting import wait_until_set

log = logging.getLogger(__name__)

# Any constant shared by every replica of a service works; each service has its own database.
RELAY_LOCK_ID = 7_301_001


INSERT_OUTBOX = insert(outbox)


def outbox_row(record: OutgoingRecord, *, event_type: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": record.event_id,
        "event_type": event_type,
        "topic": record.topic,
        "key": record.key,
        "value": record.value,
        "headers": record.headers,
        "created_at": at,
    }


async def unsent_count(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    )
    return int(result.scalar_one())


class OutboxRelay:
    """Publishes unsent outbox rows in commit order, then marks them sent.

    On PostgreSQL a pass marks its rows sent before it ends, under the advisory lock that
    lets one replica relay at a time. On SQLite this process is the only relay and the
    only writer, so marking goes to the background: the next pass can publish at once
    instead of queueing for the write lock behind the consumer's batch, and skips the rows
    it has published but not yet marked (at most a batch of them; beyond that it waits).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        read_sessions: async_sessionmaker[AsyncSession],
        publisher: RecordPublisher,
        clock: Clock,
        metrics: ServiceMetrics,
        *,
        batch_size: int,
        poll_interval_s: float,
        retry_max_delay_s: float,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._read_sessions = read_sessions
        self._publisher = publisher
        self._clock = clock
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retry_max_delay_s = retry_max_delay_s
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._marks_in_background = not is_postgres(engine)
        self._published_unmarked: set[int] = set()
        self._marker: asyncio.Task[None] | None = None
        self._marking_failure: Exception | None = None

    def wake(self) -> None:
        """Called after a commit that added rows, so they go out without waiting for a poll."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass: publish up to a batch of unsent rows; returns how many were sent."""
        async with self._lock, self._relay_turn() as my_turn:
            if not my_turn:
                return 0
            # A failed background mark surfaces here; the caller backs off and tries again.
            self._raise_marking_failure()
            self._start_marking()  # what a failed mark left
            if len(self._published_unmarked) >= self._batch_size:
                # Draining a backlog: wait for the marks, so the rows the next query leaves
                # out (and SQLite's bound parameters) stay within two batches.
                await self._marks_settled()
            rows = await self._unsent_rows()
            if not rows:
                self._metrics.outbox_backlog.set(0)
                return 0
            crash_point("before-publish")
            # Published outside any transaction so writers are not held up by the broker.
            await self._publisher.publish([_record(row) for row in rows])
            ids = [row["id"] for row in rows]
            if self._marks_in_background:
                self._published_unmarked.update(ids)
                self._start_marking()
            else:
                await self._mark_sent(ids)
        for row in rows:
            self._metrics.published.labels(event_type=row["event_type"]).inc()
        return len(rows)

    async def _unsent_rows(self) -> Sequence[RowMapping]:
        query = select(outbox).where(outbox.c.published_at.is_(None))
        if self._published_unmarked:
            query = query.where(outbox.c.id.not_in(self._published_unmarked))
        # A snapshot read: on SQLite it does not wait for the consumer's write transaction.
        async with self._read_sessions() as session:
            result = await session.execute(query.order_by(outbox.c.id).limit(self._batch_size))
            return result.mappings().all()

    async def _mark_sent(self, ids: Iterable[int]) -> None:
        async with transaction(self._sessions) as session:
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(ids)))
                .values(published_at=self._clock.now())
            )

    def _start_marking(self) -> None:
        """Unless a marker runs, or one failed and the failure is still to be reported."""
        if self._marker is None and self._marking_failure is None and self._published_unmarked:
            self._marker = asyncio.create_task(self._mark_published(), name="outbox-marker")

    async def _mark_published(self) -> None:
        """Marks sent what was published, in as few write transactions as it can."""
        try:
            while self._published_unmarked:
                ids = set(self._published_unmarked)
                await self._mark_sent(ids)
                self._published_unmarked -= ids
        except Exception as error:
            self._marking_failure = error
        finally:
            self._marker = None

    def _raise_marking_failure(self) -> None:
        failure, self._marking_failure = self._marking_failure, None
        if failure is not None:
            raise failure

    async def _marks_settled(self) -> None:
        while self._published_unmarked:
            self._start_marking()
            if self._marker is not None:
                # wait() leaves the marker running if we are cancelled: no mark cut in half.
                await asyncio.wait([self._marker])
            self._raise_marking_failure()

    @asynccontextmanager
    async def _relay_turn(self) -> AsyncIterator[bool]:
        """On PostgreSQL replicas share the outbox: one relay at a time keeps per-key order."""
        if not is_postgres(self._engine):
            yield True
            return
        async with self._engine.connect() as connection:
            got = (
                await connection.execute(select(func.pg_try_advisory_lock(RELAY_LOCK_ID)))
            ).scalar_one()
            try:
                yield bool(got)
            finally:
                if got:
                    await connection.execute(select(func.pg_advisory_unlock(RELAY_LOCK_ID)))
                await connection.commit()

    async def flush(self) -> None:
        """Publish until nothing is pending and all of it is marked sent (shutdown, tests)."""
        while await self.publish_pending():
            pass
        await self._marks_settled()

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until told to stop; failures back off exponentially up to a bound."""
        delay = 0.0
        while not stopping.is_set():
            try:
                sent = await self.publish_pending()
            except Exception as error:
                delay = min(max(delay * 2, 0.1), self._retry_max_delay_s)
                self._metrics.relay_failures.inc()
                log.warning("outbox relay failed, retrying in %.1fs: %r", delay, error)
                await wait_until_set(stopping, delay)
                continue
            delay = 0.0
            if sent:
                continue
            await wait_until_set(self._wake, self._poll_interval_s)
            self._wake.clear()

    async def forget_sent_before(self, moment: datetime) -> int:
        async with transaction(self._sessions) as session:
            result = await session.execute(delete(outbox).where(outbox.c.published_at < moment))
            return result.rowcount or 0


def _record(row) -> OutgoingRecord:
    return OutgoingRecord(
        topic=row["topic"],
        key=row["key"],
        value=row["value"],
        headers=dict(row["headers"]),
        event_id=row["event_id"],
    )


def retention_cutoff(clock: Clock, days: int) -> datetime:
    return clock.now() - timedelta(days=days)

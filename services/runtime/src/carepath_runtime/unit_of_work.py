"""What a handler works with: one database transaction, the clock, and the outbox."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_runtime import timers
from carepath_runtime.clock import Clock
from carepath_runtime.codec import encode
from carepath_runtime.outbox import INSERT_OUTBOX, outbox_row


class UnitOfWork:
    """Handlers store state and emit events here; all of it commits, or none of it.

    Writes a handler does not read back in the same transaction (outbox rows, logs, the hot
    path's small updates) can be buffered with `write_later`: `flush` then runs each such
    statement once for all its rows. With SQLite every statement is a round trip to the
    driver's thread, so a batch of 500 events costs a few statements instead of hundreds.
    Whoever owns the unit flushes it before the commit.
    """

    def __init__(self, session: AsyncSession, clock: Clock, topic_prefix: str) -> None:
        self.session = session
        self.clock = clock
        self._topic_prefix = topic_prefix
        self.emitted = 0
        # Rows a batch prefetch loaded, shared with the handlers of this transaction only;
        # a handler that changes such a row must update or drop its entry.
        self.cache: dict[str, Any] = {}
        self._buffered: dict[Executable, list[Mapping[str, Any]]] = {}

    def now(self) -> datetime:
        return self.clock.now()

    async def emit(self, event: Any) -> None:
        """Queue an event for publication once this transaction commits."""
        record = encode(event, self._topic_prefix)
        self.write_later(INSERT_OUTBOX, outbox_row(record, event_type=event.type, at=self.now()))
        self.emitted += 1

    def write_later(self, statement: Executable, row: Mapping[str, Any]) -> None:
        """Buffer one row of a prepared statement until `flush`; rows keep their order.

        Only for rows nothing reads back before the flush: a handler that reads what it
        (or an earlier handler of the batch) may have buffered calls `flush` first.
        """
        self._buffered.setdefault(statement, []).append(row)

    async def flush(self) -> None:
        """Run the buffered writes: one executemany per statement, in first-use order."""
        while self._buffered:
            buffered, self._buffered = self._buffered, {}
            for statement, rows in buffered.items():
                await self.session.execute(statement, rows)

    async def schedule(
        self,
        *,
        key: str,
        kind: str,
        patient_id: str,
        correlation_id: str,
        due_at: datetime,
        payload: Mapping[str, Any] | None = None,
        caused_by_event_id: str | None = None,
    ) -> None:
        await timers.schedule_timer(
            self.session,
            key=key,
            kind=kind,
            patient_id=patient_id,
            correlation_id=correlation_id,
            due_at=due_at,
            payload=payload or {},
            caused_by_event_id=caused_by_event_id,
        )

    async def cancel_timer(self, key: str) -> bool:
        return await timers.cancel_timer(self.session, key, at=self.now())

    async def cancel_patient_timers(self, patient_id: str) -> int:
        return await timers.cancel_patient_timers(self.session, patient_id, at=self.now())

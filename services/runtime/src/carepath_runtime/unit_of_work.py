"""What a handler works with: one database transaction, the clock, and the outbox."""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import Event, EventData, caused_by
from carepath_runtime import timers
from carepath_runtime.clock import Clock
from carepath_runtime.codec import encode
from carepath_runtime.outbox import INSERT_OUTBOX, outbox_row
from carepath_runtime.timer_requests import TimerRequest
from carepath_runtime.timers import Timer, caused_by_timer
from carepath_runtime.tracing import current_traceparent

T = TypeVar("T")

Cause = Event[Any] | Timer
"""Why a handler runs: an event it consumed, or one of its timers that fired."""


def patient_of(cause: Cause) -> str:
    return cause.patient_id if isinstance(cause, Timer) else cause.subject


class UnitOfWork:
    """Handlers store state and emit events here; all of it commits, or none of it.

    Writes a handler does not read back in the same transaction (outbox rows, logs, the hot
    path's small updates) can be buffered with `write_later`: `flush` then runs each such
    statement once for all its rows. With SQLite every statement is a round trip to the
    driver's thread, so a batch of 500 events costs a few statements instead of hundreds.
    Whoever owns the unit flushes it before the commit.
    """

    def __init__(
        self, session: AsyncSession, clock: Clock, topic_prefix: str, *, source: str
    ) -> None:
        self.session = session
        self.clock = clock
        self.source = source
        """The CloudEvent source of what this service emits, e.g. `carepath/intake`."""
        self._topic_prefix = topic_prefix
        self.emitted = 0
        self._batch_locals: dict[type, Any] = {}
        self._buffered: dict[Executable, list[Mapping[str, Any]]] = {}

    def now(self) -> datetime:
        return self.clock.now()

    def batch_local(self, kind: Callable[["UnitOfWork"], T]) -> T:
        """This unit's one `kind(unit)`: state a batch's prefetch and handlers share (what the
        prefetch read), gone with the transaction. `kind` keeps it consistent."""
        if kind not in self._batch_locals:
            self._batch_locals[kind] = kind(self)
        return self._batch_locals[kind]

    async def emit(self, event: Any) -> None:
        """Queue an event for publication once this transaction commits; with tracing on,
        its `traceparent` is the span in hand (the request, handler or timer causing it)."""
        if event.traceparent is None and (traceparent := current_traceparent()):
            event = event.model_copy(update={"traceparent": traceparent})
        self._emit(event)

    async def emit_caused_by(self, cause: Cause, events: Iterable[EventData]) -> None:
        """Emit each event as caused by `cause`: its patient and pathway, this service's source."""
        traceparent = current_traceparent()  # looked up once for all the events
        for data in events:
            if isinstance(cause, Timer):
                event = caused_by_timer(
                    cause, data, source=self.source, time=self.now(), traceparent=traceparent
                )
            else:
                event = caused_by(
                    cause, data, source=self.source, time=self.now(), traceparent=traceparent
                )
            self._emit(event)

    def _emit(self, event: Any) -> None:
        """Queue an event, its traceparent already decided, for publication on commit."""
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
            traceparent=current_traceparent(),
        )

    async def schedule_timers(self, requests: Iterable[TimerRequest], cause: Cause) -> None:
        """Set each requested timer for the patient and pathway of `cause`; what the timer
        emits when it fires is caused by the event behind `cause`."""
        if isinstance(cause, Timer):
            patient_id, pathway_id, event_id = (
                cause.patient_id,
                cause.correlation_id,
                cause.caused_by_event_id,
            )
        else:
            patient_id, pathway_id, event_id = cause.subject, cause.correlationid, cause.id
        for request in requests:
            await self.schedule(
                key=request.key,
                kind=request.kind,
                patient_id=patient_id,
                correlation_id=pathway_id,
                due_at=request.due_at,
                payload=request.payload,
                caused_by_event_id=event_id,
            )

    def rearm_timer_later(self, key: str, due_at: datetime) -> None:
        """Buffered: move a timer set earlier (and not cancelled) to `due_at`, pending again if
        it had fired; a key never set or cancelled changes nothing. For watchdogs a hot path
        moves on each event (one statement per batch)."""
        self.write_later(
            timers.REARM_TIMER,
            {"key_": key, "due_at_": due_at, "traceparent_": current_traceparent()},
        )

    async def cancel_timer(self, key: str) -> bool:
        return await timers.cancel_timer(self.session, key, at=self.now())

    async def cancel_patient_timers(self, patient_id: str) -> int:
        return await timers.cancel_patient_timers(self.session, patient_id, at=self.now())

"""Durable timers: rows in the service's database, fired by a scheduler that reads the clock."""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import Event, new_event
from carepath_runtime.tables import timers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timer:
    """A timer as its handler sees it when it fires."""

    id: int
    timer_key: str
    kind: str
    patient_id: str
    correlation_id: str
    caused_by_event_id: str | None
    due_at: datetime
    payload: Mapping[str, Any]
    traceparent: str | None = None
    """The span that set the timer: its firing continues that trace."""


def caused_by_timer(
    timer: Timer, data: Any, *, source: str, time: datetime, traceparent: str | None = None
) -> Event[Any]:
    """An event a timer's firing causes: the timer's patient and pathway, and as its cause
    the event that set the timer (like `carepath_contracts.caused_by` for an event)."""
    return new_event(
        data,
        subject=timer.patient_id,
        correlation_id=timer.correlation_id,
        source=source,
        time=time,
        causation_id=timer.caused_by_event_id,
        traceparent=traceparent,
    )


async def schedule_timer(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    patient_id: str,
    correlation_id: str,
    due_at: datetime,
    payload: Mapping[str, Any],
    caused_by_event_id: str | None = None,
    traceparent: str | None = None,
) -> None:
    """Adds a timer; a key that already exists (a redelivery) is moved, not duplicated."""
    existing = await session.execute(select(timers.c.id).where(timers.c.timer_key == key))
    values = {
        "kind": kind,
        "patient_id": patient_id,
        "correlation_id": correlation_id,
        "caused_by_event_id": caused_by_event_id,
        "traceparent": traceparent,
        "due_at": due_at,
        "payload": dict(payload),
        "fired_at": None,
        "cancelled_at": None,
    }
    if existing.first() is None:
        await session.execute(insert(timers).values(timer_key=key, **values))
    else:
        await session.execute(update(timers).where(timers.c.timer_key == key).values(**values))


REARM_TIMER = (
    update(timers)
    .where(timers.c.timer_key == bindparam("key_"), timers.c.cancelled_at.is_(None))
    .values(due_at=bindparam("due_at_"), fired_at=None, traceparent=bindparam("traceparent_"))
)
"""Moves a timer that was set and not cancelled to a new time, pending again if it fired
(for `UnitOfWork.rearm_timer_later`: one executemany for a batch); its firing then continues
the trace of whoever moved it last."""


async def cancel_timer(session: AsyncSession, key: str, *, at: datetime) -> bool:
    result = await session.execute(
        update(timers)
        .where(timers.c.timer_key == key, timers.c.fired_at.is_(None))
        .where(timers.c.cancelled_at.is_(None))
        .values(cancelled_at=at)
    )
    return bool(result.rowcount)


async def cancel_patient_timers(session: AsyncSession, patient_id: str, *, at: datetime) -> int:
    result = await session.execute(
        update(timers)
        .where(timers.c.patient_id == patient_id, timers.c.fired_at.is_(None))
        .where(timers.c.cancelled_at.is_(None))
        .values(cancelled_at=at)
    )
    return result.rowcount or 0


async def pending_timers(session: AsyncSession, patient_id: str) -> list[Timer]:
    rows = await session.execute(
        select(timers)
        .where(timers.c.patient_id == patient_id)
        .where(timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None))
        .order_by(timers.c.due_at, timers.c.id)
    )
    return [_timer(row) for row in rows.mappings()]


async def due_timers(session: AsyncSession, now: datetime, limit: int) -> list[Timer]:
    rows = await session.execute(
        select(timers)
        .where(timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None))
        .where(timers.c.due_at <= now)
        .order_by(timers.c.due_at, timers.c.id)
        .limit(limit)
    )
    return [_timer(row) for row in rows.mappings()]


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending timer is due (None when nothing is pending)."""
    return await session.scalar(
        select(func.min(timers.c.due_at)).where(
            timers.c.fired_at.is_(None), timers.c.cancelled_at.is_(None)
        )
    )


async def mark_fired(session: AsyncSession, timer_id: int, *, at: datetime) -> bool:
    """Marks a timer fired unless another replica or pass already did (then False)."""
    result = await session.execute(
        update(timers)
        .where(timers.c.id == timer_id, timers.c.fired_at.is_(None))
        .where(timers.c.cancelled_at.is_(None))
        .values(fired_at=at)
    )
    return bool(result.rowcount)


def _timer(row: Mapping[str, Any]) -> Timer:
    return Timer(
        id=row["id"],
        timer_key=row["timer_key"],
        kind=row["kind"],
        patient_id=row["patient_id"],
        correlation_id=row["correlation_id"],
        caused_by_event_id=row["caused_by_event_id"],
        due_at=row["due_at"],
        payload=row["payload"],
        traceparent=row["traceparent"],
    )


TimerHandler = Callable[[Any, Timer], Awaitable[None]]
"""`async def on_timer(unit_of_work, timer)`: emits and stores through the unit of work."""

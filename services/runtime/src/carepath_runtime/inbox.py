"""The inbox: which events this service has already processed (the idempotent consumer)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_runtime.tables import inbox


async def processed_among(session: AsyncSession, event_ids: set[str]) -> set[str]:
    """Which of these event ids were processed before (one query for a whole batch)."""
    if not event_ids:
        return set()
    found = await session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(event_ids)))
    return set(found.scalars())


async def record_processed(
    session: AsyncSession,
    handled: Sequence[tuple[Any, str, int, int]],
    *,
    at: datetime,
) -> None:
    """`(event, topic, partition, offset)` rows, in the handlers' own transaction, so state
    and inbox commit together."""
    if not handled:
        return
    await session.execute(
        insert(inbox),
        [
            {
                "event_id": event.id,
                "event_type": event.type,
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "processed_at": at,
            }
            for event, topic, partition, offset in handled
        ],
    )


async def forget_older_than(session: AsyncSession, moment: datetime) -> int:
    result = await session.execute(delete(inbox).where(inbox.c.processed_at < moment))
    return result.rowcount or 0

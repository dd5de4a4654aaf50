"""The inbox: which events this service has already processed (the idempotent consumer)."""

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_runtime.tables import inbox


async def already_processed(session: AsyncSession, event_id: str) -> bool:
    found = await session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id))
    return found.first() is not None


async def record_processed(
    session: AsyncSession,
    *,
    event_id: str,
    event_type: str,
    topic: str,
    partition: int,
    offset: int,
    at: datetime,
) -> None:
    """Recorded in the handler's own transaction, so state and inbox commit together."""
    await session.execute(
        insert(inbox).values(
            event_id=event_id,
            event_type=event_type,
            topic=topic,
            partition=partition,
            offset=offset,
            processed_at=at,
        )
    )


async def forget_older_than(session: AsyncSession, moment: datetime) -> int:
    result = await session.execute(delete(inbox).where(inbox.c.processed_at < moment))
    return result.rowcount or 0

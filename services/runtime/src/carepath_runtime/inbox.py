"""The inbox: which events this service has already processed (the idempotent consumer).

Each row keeps a hash of the event's content, so that an event id seen again is told apart: the
same content is a repeat (a redelivery, a producer's retry) and is skipped; other content under
that id is a conflict, dead-lettered with its reason rather than dropped in silence.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts.records import to_json_bytes
from carepath_runtime.errors import PermanentError, TransientError
from carepath_runtime.tables import inbox


class EventIdConflictError(PermanentError):
    """An event id this service processed before arrived again with other content."""

    def __init__(self, event_id: str) -> None:
        super().__init__(
            f"event id {event_id} was processed before with other content (type, source, "
            "subject, time or data differ); this one is not handled"
        )


class InboxRaceError(TransientError):
    """Another consumer recorded one of these event ids between this batch's inbox lookup and
    its insert (two replicas during a rebalance): the batch is rolled back and tried again,
    and the next lookup finds those events processed."""


def content_hash(event: Any) -> str:
    """SHA-256 of the event as the contracts serialise it (the same for any byte layout)."""
    return hashlib.sha256(to_json_bytes(event)).hexdigest()


def conflicts(recorded_hash: str | None, event: Any) -> bool:
    """True if `event` is not what was processed under its id (rows from before the hash was
    kept have none: those count as repeats)."""
    return recorded_hash is not None and recorded_hash != content_hash(event)


async def processed_among(session: AsyncSession, event_ids: set[str]) -> dict[str, str | None]:
    """`{event id: content hash}` of those ids processed before (one query for a batch)."""
    if not event_ids:
        return {}
    found = await session.execute(
        select(inbox.c.event_id, inbox.c.content_hash).where(inbox.c.event_id.in_(event_ids))
    )
    return {event_id: digest for event_id, digest in found}


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
    rows = [
        {
            "event_id": event.id,
            "event_type": event.type,
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "processed_at": at,
            "content_hash": content_hash(event),
        }
        for event, topic, partition, offset in handled
    ]
    try:
        await session.execute(insert(inbox), rows)
    except IntegrityError as error:
        raise InboxRaceError(
            "an event of this batch was recorded by another consumer meanwhile; "
            "the batch is retried and that event counts as processed"
        ) from error


async def forget_older_than(session: AsyncSession, moment: datetime) -> int:
    result = await session.execute(delete(inbox).where(inbox.c.processed_at < moment))
    return result.rowcount or 0

"""A service run without a broker: its real handlers, store and timers on its database, with a
manual clock and a recording publisher. Events are handed to its own consumer code (decode,
inbox, handlers, one transaction) as one polled batch; what the handlers emit is read back from
the outbox, dead letters from the recorder; HTTP routes are called in-process.

This is the fast layer for a service's rules as handlers apply them. Delivery itself
(redelivery, offsets, ordering, dead letters reaching their topic) is tested on the real broker.
"""

import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from aiokafka import ConsumerRecord
from fastapi import FastAPI
from sqlalchemy import select

from carepath_contracts import Event, from_record
from carepath_runtime import deadletters
from carepath_runtime.clock import ManualClock
from carepath_runtime.codec import encode
from carepath_runtime.records import OutgoingRecord
from carepath_runtime.schema_migrations import upgrade
from carepath_runtime.service import ServiceRuntime
from carepath_runtime.tables import outbox

RawRecord = tuple[bytes | None, bytes, Sequence[tuple[str, bytes]]]
"""A record as another system could send it: key, value, headers."""


class RecordingPublisher:
    """Stands in for the runtime's one Kafka publisher: keeps what would have been sent."""

    def __init__(self) -> None:
        self.records: list[OutgoingRecord] = []

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        self.records.extend(records)


def _runtime(app: FastAPI) -> ServiceRuntime:
    return app.state.runtime


@asynccontextmanager
async def offline(app: FastAPI, token: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app's database migrated, its publisher recording, and an HTTP client with `token`;
    no broker, relay or timer loop is started."""
    runtime = _runtime(app)
    recorder = RecordingPublisher()
    # Every part that publishes (dead letters, relay) holds this one object.
    runtime.publisher.publish = recorder.publish  # type: ignore[method-assign]
    app.state.recorder = recorder
    await upgrade(runtime.engine, runtime.definition.migrations)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service", headers=headers
        ) as client:
            yield client
    finally:
        await runtime.engine.dispose()


async def consume(app: FastAPI, *events: Event[Any]) -> None:
    """Handle `events` in order, as one batch, exactly as the consumer would."""
    prefix = _runtime(app).settings.topic_prefix
    raw = []
    for event in events:
        record = encode(event, prefix)
        headers = [(name, value.encode()) for name, value in record.headers.items()]
        raw.append((record.topic, (record.key, record.value, headers)))
    await _process(app, raw)


async def consume_raw(app: FastAPI, topic: str, records: Iterable[RawRecord]) -> None:
    """Hand raw records (any bytes) on `topic` (unprefixed) to the consumer as one batch."""
    topic = _runtime(app).settings.topic_prefix + topic
    await _process(app, [(topic, record) for record in records])


async def _process(app: FastAPI, raw: list[tuple[str, RawRecord]]) -> None:
    records = [
        ConsumerRecord(
            topic=topic,
            partition=0,
            offset=offset,
            timestamp=int(time.time() * 1000),
            timestamp_type=0,
            key=key,
            value=value,
            checksum=None,
            serialized_key_size=len(key or b""),
            serialized_value_size=len(value),
            headers=list(headers),
        )
        for offset, (topic, (key, value, headers)) in enumerate(raw)
    ]
    await _runtime(app).processor.process(records)


async def fire_due(app: FastAPI) -> int:
    """Fire every timer due by the app's clock now, as the timer loop would."""
    return await _runtime(app).scheduler.fire_due()


async def move_clock_to(app: FastAPI, clock: ManualClock, moment: datetime) -> None:
    """Move the app's manual clock and fire every timer now due (no sleeps: time is data);
    on an offline app or a running one alike."""
    clock.set(moment)
    await fire_due(app)


async def emitted(app: FastAPI, patient_id: str | None = None) -> list[Event[Any]]:
    """The events the handlers emitted (the outbox, in order), optionally one patient's."""
    runtime = _runtime(app)
    async with runtime.sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    events = [from_record(row.value, row.headers) for row in rows]
    return [event for event in events if patient_id is None or event.subject == patient_id]


def dead_lettered(app: FastAPI) -> list[OutgoingRecord]:
    """The dead letters the consumer wrote (through the recording publisher)."""
    prefix = _runtime(app).settings.topic_prefix
    dlq = prefix + _runtime(app).definition.dead_letter_topic
    return [record for record in app.state.recorder.records if record.topic == dlq]


def reason(dead: OutgoingRecord) -> tuple[str | None, str | None]:
    """A dead letter's error class and message, from its headers."""
    return dead.headers.get(deadletters.ERROR_CLASS), dead.headers.get(deadletters.ERROR_MESSAGE)

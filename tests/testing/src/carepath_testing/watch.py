"""Watching a topic during a broker test: every record kept, events decoded on demand."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from carepath_contracts import Event, from_record

from .conditions import eventually


class TopicWatch:
    def __init__(self) -> None:
        self.records: list[ConsumerRecord] = []  # appended to as they are read
        # Events of the first records, decoded once: `wait_count` asks again every few ms.
        # Only when asked (a dead-letter topic's records may not decode).
        self._decoded: list[Event] = []

    def events(self, patient_id: str | None = None, event_type: type | None = None) -> list[Event]:
        for record in self.records[len(self._decoded) :]:
            self._decoded.append(from_record(record.value, record.headers))
        return [
            event
            for event in self._decoded
            if (patient_id is None or event.subject == patient_id)
            and (event_type is None or event.type == event_type.event_type)
        ]

    def data(self, patient_id: str, event_type: type) -> list[Any]:
        return [event.data for event in self.events(patient_id, event_type)]

    async def wait_for(
        self, condition: Callable[["TopicWatch"], bool], what: str, timeout: float = 30.0
    ) -> None:
        await eventually(lambda: condition(self), timeout=timeout, what=what)

    async def wait_count(
        self, patient_id: str, event_type: type, count: int, timeout: float = 30.0
    ) -> list[Any]:
        await self.wait_for(
            lambda watch: len(watch.data(patient_id, event_type)) >= count,
            f"{count} x {event_type.__name__} for {patient_id}",
            timeout,
        )
        return self.data(patient_id, event_type)


@asynccontextmanager
async def watching(bootstrap: str, topic: str) -> AsyncIterator[TopicWatch]:
    """Reads `topic` from its start in the background for as long as the block runs."""
    watch = TopicWatch()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()

    async def read() -> None:
        async for record in consumer:
            watch.records.append(record)

    task = asyncio.create_task(read())
    try:
        yield watch
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await consumer.stop()

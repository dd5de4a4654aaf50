"""Publishes records to Kafka in order and waits until the broker has them all."""

import asyncio
from collections.abc import Sequence
from typing import Protocol

from faststream.kafka import KafkaBroker

from carepath_runtime.records import OutgoingRecord
from carepath_runtime.tracing import Tracing


class RecordPublisher(Protocol):
    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        """Publish in the given order; return only when every record is acknowledged."""


class KafkaRecordPublisher:
    """The broker's producer (acks=all, idempotent): sends all, then awaits every ack."""

    def __init__(self, broker: KafkaBroker, *, tracing: Tracing | None = None) -> None:
        self._broker = broker
        self._tracing = tracing or Tracing()

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        pending = []
        for record in records:
            # Sending without waiting keeps order (idempotent producer, one connection per
            # partition leader) while letting the producer batch records.
            with self._tracing.publishing(record.headers):
                pending.append(
                    await self._broker.publish(
                        record.value,
                        record.topic,
                        key=record.key,
                        headers=record.headers,
                        no_confirm=True,
                    )
                )
        await asyncio.gather(*pending)

"""Test helpers that talk to the real broker: produce records and read topics to their end."""

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from carepath_runtime.bus import Bus
from carepath_runtime.codec import encode
from carepath_runtime.topic_reading import partitions_of

Headers = Sequence[tuple[str, bytes]]


async def produce(
    bus: Bus | str, topic: str, records: Iterable[tuple[bytes | None, bytes, Headers]]
) -> None:
    """Produce raw `(key, value, headers)` records in order and wait for every ack."""
    producer = AIOKafkaProducer(**Bus.of(bus).client_options(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value, key=key, headers=list(headers))
    finally:
        await producer.stop()


async def produce_events(bus: Bus | str, events: Iterable[Any], topic_prefix: str) -> None:
    """Produce contract events exactly as another system would (key, content-type header)."""
    encoded = [encode(event, topic_prefix) for event in events]
    producer = AIOKafkaProducer(**Bus.of(bus).client_options(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for record in encoded:
            await producer.send_and_wait(
                record.topic,
                record.value,
                key=record.key,
                headers=[(name, value.encode()) for name, value in record.headers.items()],
            )
    finally:
        await producer.stop()


async def read_until(
    bus: Bus | str,
    topic: str,
    done: Callable[[list[ConsumerRecord]], bool],
    *,
    timeout: float = 30.0,
) -> list[ConsumerRecord]:
    """Read the topic from the start until `done(records)` holds; fail after `timeout` seconds."""
    consumer = AIOKafkaConsumer(
        topic,
        **Bus.of(bus).client_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    try:
        while not done(records):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{topic}: condition not met within {timeout}s; {len(records)} records read"
                )
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def read_to_end(bus: Bus | str, topic: str, *, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record on the topic now: reads until each partition's end offset is reached."""
    consumer = AIOKafkaConsumer(
        **Bus.of(bus).client_options(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout
        while not await _reached(consumer, ends):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: end offsets {ends} not reached within {timeout}s")
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
        return records
    finally:
        await consumer.stop()


async def uncommitted(bus: Bus | str, group_id: str, topic: str) -> int:
    """Records on `topic` past the consumer group's committed offsets (0 = fully committed)."""
    admin = AIOKafkaAdminClient(**Bus.of(bus).client_options())
    consumer = AIOKafkaConsumer(**Bus.of(bus).client_options(), group_id=None)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group_id)
        ends = await consumer.end_offsets(await _partitions(consumer, topic))
        return sum(
            end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()
        )
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    partitions = await partitions_of(consumer, [topic])
    if not partitions:
        raise LookupError(f"topic {topic} does not exist")
    return partitions


async def _reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True


def header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode()
    return None

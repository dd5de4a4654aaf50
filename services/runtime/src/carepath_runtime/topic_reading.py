"""Reads whole topics as they are now, and says clearly when the broker cannot be reached."""

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaConnectionError

from carepath_runtime.bus import Bus
from carepath_runtime.errors import CarepathError


class BrokerUnreachableError(CarepathError):
    def __init__(self, bootstrap: str) -> None:
        super().__init__(
            f"cannot reach Kafka at {bootstrap}: is the stack running? "
            "Start it with `carepath up` (or set --bootstrap)."
        )


async def partitions_of(consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    """The partitions of those topics that exist (a consumer learns them only on demand)."""
    if any(consumer.partitions_for_topic(topic) is None for topic in topics):
        await consumer._client.force_metadata_update()
    return [
        TopicPartition(topic, partition)
        for topic in topics
        for partition in sorted(consumer.partitions_for_topic(topic) or ())
    ]


async def read_topics(bus: Bus | str, topics: list[str]) -> list[ConsumerRecord]:
    """Every record now on the given topics (missing topics are skipped)."""
    bus = Bus.of(bus)
    consumer = AIOKafkaConsumer(
        **bus.client_options(),
        group_id=None,
        enable_auto_commit=False,
        request_timeout_ms=10_000,
    )
    try:
        await consumer.start()
    except KafkaConnectionError as error:
        await consumer.stop()
        raise BrokerUnreachableError(bus.bootstrap) from error
    try:
        partitions = await partitions_of(consumer, topics)
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for partition, partition_records in batch.items():
                records.extend(partition_records)
                if partition_records[-1].offset + 1 >= ends[partition]:
                    remaining.discard(partition)
        return records
    finally:
        await consumer.stop()

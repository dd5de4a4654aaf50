"""Reads what Carepath publishes (the three `.events` topics), in order, up to given offsets."""

from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from carepath_contracts import FOLLOWUP_EVENTS, INFUSION_EVENTS, INTAKE_EVENTS, from_record
from carepath_runtime.bus import Bus
from carepath_runtime.topic_reading import partitions_of

EVENT_TOPICS = (INTAKE_EVENTS, INFUSION_EVENTS, FOLLOWUP_EVENTS)


class EventObserver:
    def __init__(self, bus: Bus, prefix: str) -> None:
        self._consumer = AIOKafkaConsumer(
            **bus.client_options(), group_id=None, enable_auto_commit=False
        )
        self._topics = [prefix + topic.name for topic in EVENT_TOPICS]
        self._partitions: list[TopicPartition] = []
        self._seen: set[str] = set()
        self.read = 0
        self.repeats = 0  # records whose CloudEvent id was already read (republished)

    async def start(self) -> None:
        """Start at the current end: earlier runs' events are not this simulation's."""
        await self._consumer.start()
        self._partitions = await partitions_of(self._consumer, self._topics)
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_end(*self._partitions)
        for partition in self._partitions:
            await self._consumer.position(partition)

    async def close(self) -> None:
        await self._consumer.stop()

    async def drain(self, ends: Mapping[TopicPartition, int]) -> list:
        """Every new event up to `ends`, decoded, in clinical-time order; an event id read
        before is skipped (a service may publish a record again after a crash, as
        deploy/README.md tells every reader)."""
        records: list[ConsumerRecord] = []
        while not await self._reached(ends):
            batch = await self._consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
        events = []
        for record in records:
            event = from_record(record.value, record.headers)
            if event.id in self._seen:
                self.repeats += 1
                continue
            self._seen.add(event.id)
            events.append(event)
        self.read += len(events)
        return sorted(events, key=lambda event: event.time)

    async def _reached(self, ends: Mapping[TopicPartition, int]) -> bool:
        for partition in self._partitions:
            if await self._consumer.position(partition) < ends.get(partition, 0):
                return False
        return True

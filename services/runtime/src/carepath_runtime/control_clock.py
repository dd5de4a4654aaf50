"""One controllable clock across processes (test and demo mode only).

A driver publishes ticks ("the time is now T") on the clock topic. Every service instance in
`controlled` clock mode reads every tick (no consumer group: each instance must see all),
moves its ManualClock, fires its due timers, flushes its outbox and acknowledges on the acks
topic with the time of its next pending timer. The driver waits for every acknowledgement,
so time moves deterministically and a six-month pathway runs in seconds without sleeps.
"""

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from carepath_runtime.bus import Bus
from carepath_runtime.clock import ManualClock

log = logging.getLogger(__name__)

CLOCK_TOPIC = "carepath.control.clock"
CLOCK_ACKS_TOPIC = "carepath.control.clock-acks"
CONTROL_TOPICS = {CLOCK_TOPIC: 1, CLOCK_ACKS_TOPIC: 1}


@dataclass(frozen=True, slots=True)
class TickAck:
    tick: str
    service: str
    instance: str
    now: datetime
    next_due_at: datetime | None
    fired: int

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "tick": self.tick,
                "service": self.service,
                "instance": self.instance,
                "now": self.now.isoformat(),
                "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
                "fired": self.fired,
            }
        ).encode()

    @classmethod
    def from_json(cls, value: bytes) -> "TickAck":
        raw = json.loads(value)
        return cls(
            tick=raw["tick"],
            service=raw["service"],
            instance=raw["instance"],
            now=datetime.fromisoformat(raw["now"]),
            next_due_at=datetime.fromisoformat(raw["next_due_at"]) if raw["next_due_at"] else None,
            fired=raw["fired"],
        )


class ClockFollower:
    """Moves a service's ManualClock as the clock topic says, then acknowledges."""

    def __init__(
        self,
        *,
        bus: Bus | str,
        topic_prefix: str,
        service: str,
        clock: ManualClock,
        on_tick: Callable[[], Awaitable[tuple[int, datetime | None]]],
        instance: str = "",
    ) -> None:
        """`instance`: the replica's static name (its group instance id), kept across its
        restarts, so that a restarted replica's acknowledgement takes the place of its own
        earlier one and never stands in for another replica's; empty: a name per process."""
        self._bus = Bus.of(bus)
        self._prefix = topic_prefix
        self._service = service
        self._clock = clock
        self._on_tick = on_tick
        self.instance = instance or f"{service}-{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None
        self._clients: tuple[AIOKafkaConsumer, AIOKafkaProducer] | None = None
        self._last_replayed: dict | None = None
        self.caught_up = False

    async def catch_up(self) -> None:
        """Connect, and read the clock topic from its beginning up to its end as of now, moving
        the clock: a restarted service is then at the time the driver last set, before it
        consumes, serves or fires anything. Nothing is fired or acknowledged for the ticks
        replayed; the last one is, by `follow`, once the service runs."""
        self.caught_up = False
        began = time.monotonic()
        consumer = AIOKafkaConsumer(
            **self._bus.client_options(), group_id=None, enable_auto_commit=False
        )
        producer = AIOKafkaProducer(**self._bus.client_options(), acks="all")
        try:
            await consumer.start()
            await producer.start()
            partition = TopicPartition(self._prefix + CLOCK_TOPIC, 0)
            consumer.assign([partition])
            await consumer.seek_to_beginning(partition)
            end = (await consumer.end_offsets([partition]))[partition]
            self._last_replayed = None
            while await consumer.position(partition) < end:
                batch = await consumer.getmany(partition, timeout_ms=500)
                # Every fetched record, also one published after `end` was read: the position
                # is past it already, so `follow` would never see (nor acknowledge) it.
                for record in batch.get(partition, ()):
                    self._last_replayed = self._move(record)
        except BaseException:
            await consumer.stop()
            await producer.stop()
            raise
        self._clients = consumer, producer
        self.caught_up = True
        log.info(
            "clock caught up at %s: clock topic read to offset %d in %.2fs",
            self._clock.now().isoformat(),
            end,
            time.monotonic() - began,
        )

    def follow(self) -> None:
        """Acknowledge the last replayed tick (after firing what is due), then every new one."""
        consumer, producer = self._clients
        self._task = asyncio.create_task(self._follow(consumer, producer), name="clock-follower")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        elif self._clients:
            for client in self._clients:
                await client.stop()
        self._clients = None

    def _move(self, record) -> dict:
        tick = json.loads(record.value)
        moment = datetime.fromisoformat(tick["now"])
        if moment > self._clock.now():
            self._clock.set(moment)
        return tick

    async def _follow(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        try:
            if self._last_replayed is not None:
                # The driver may still wait for it: this instance was stopped before its ack.
                await self._acknowledge(producer, self._last_replayed)
            async for record in consumer:
                await self._acknowledge(producer, self._move(record))
        finally:
            await consumer.stop()
            await producer.stop()

    async def _acknowledge(self, producer: AIOKafkaProducer, tick: dict) -> None:
        fired, next_due_at = await self._on_tick()
        ack = TickAck(
            tick=tick["tick"],
            service=self._service,
            instance=self.instance,
            now=self._clock.now(),
            next_due_at=next_due_at,
            fired=fired,
        )
        await producer.send_and_wait(self._prefix + CLOCK_ACKS_TOPIC, ack.to_json())


class ClockDriver:
    """Moves the shared clock and waits until every instance of every named service has
    caught up: `services` names each service once, or maps it to how many replicas it runs
    (a step is over when that many instances of it have acknowledged; a replica restarted
    meanwhile acknowledges under its static name again, in place of its earlier ack)."""

    def __init__(
        self, bus: Bus | str, topic_prefix: str, services: Iterable[str] | Mapping[str, int]
    ) -> None:
        self._bus = Bus.of(bus)
        self._prefix = topic_prefix
        self._replicas = (
            dict(services) if isinstance(services, Mapping) else dict.fromkeys(services, 1)
        )
        self._producer: AIOKafkaProducer | None = None
        self._acks: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> "ClockDriver":
        self._producer = AIOKafkaProducer(**self._bus.client_options(), acks="all")
        self._acks = AIOKafkaConsumer(
            **self._bus.client_options(), group_id=None, enable_auto_commit=False
        )
        await self._producer.start()
        await self._acks.start()
        partition = TopicPartition(self._prefix + CLOCK_ACKS_TOPIC, 0)
        self._acks.assign([partition])
        await self._acks.seek_to_end(partition)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()
        await self._acks.stop()

    async def advance_to(
        self, moment: datetime, *, patience: float = 30.0, timeout: float | None = None
    ) -> list[TickAck]:
        """Publish the tick and return the acknowledgements (one per instance).

        A service restarting meanwhile acknowledges late (it replays the clock topic when it
        is back): the step is resumed, never abandoned. Every `patience` seconds without all
        acknowledgements the same tick is published again (a follower that missed it, or
        whose acknowledgement was lost with the broker, answers it); `timeout` (None: no
        limit) bounds the whole step."""
        tick = uuid.uuid4().hex
        value = json.dumps({"tick": tick, "now": moment.isoformat()}).encode()
        acks: dict[tuple[str, str], TickAck] = {}
        async with asyncio.timeout(timeout):
            while True:
                await self._producer.send_and_wait(self._prefix + CLOCK_TOPIC, value)
                with suppress(TimeoutError):
                    async with asyncio.timeout(patience):
                        await self._collect(tick, acks)
                        return list(acks.values())
                missing = ", ".join(self._behind(acks))
                log.warning("clock step to %s: no acknowledgement from %s yet", moment, missing)

    def _behind(self, acks: Mapping[tuple[str, str], TickAck]) -> list[str]:
        """The services with fewer acknowledging instances than they have replicas."""
        return sorted(
            service
            for service, replicas in self._replicas.items()
            if sum(1 for named, _ in acks if named == service) < replicas
        )

    async def _collect(self, tick: str, acks: dict[tuple[str, str], TickAck]) -> None:
        while self._behind(acks):
            batch = await self._acks.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    ack = TickAck.from_json(record.value)
                    if ack.tick == tick and ack.service in self._replicas:
                        acks[ack.service, ack.instance] = ack

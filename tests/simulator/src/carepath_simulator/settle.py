"""Knowing when the whole system has caught up, so time can move on deterministically.

Settled means: every service's consumer group has committed everything on its input topics,
a barrier tick made every service fire its due timers and flush its outbox, and nothing new
appeared on any topic meanwhile. Checked by condition, never by sleeping a guess.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from carepath_contracts import ALL_TOPICS, REGISTRY
from carepath_runtime.bus import Bus
from carepath_runtime.control_clock import ClockDriver, TickAck
from carepath_runtime.topic_reading import partitions_of

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_S = 0.01
SETTLE_TIMEOUT_S = 300.0  # a service or the broker restarting holds the lag meanwhile


class NotSettledError(RuntimeError):
    pass


def input_topics(service: str, prefix: str) -> list[str]:
    """The topics a service's consumer group reads (from the contracts' registry)."""
    names = {spec.topic.name for spec in REGISTRY.consumed_by(service)}
    return sorted(prefix + name for name in names)


class Settler:
    def __init__(
        self,
        bus: Bus,
        prefix: str,
        groups: Mapping[str, str],
        driver: ClockDriver,
    ) -> None:
        self._prefix = prefix
        self._groups = dict(groups)
        self._driver = driver
        self._admin = AIOKafkaAdminClient(**bus.client_options())
        self._offsets = AIOKafkaConsumer(**bus.client_options(), group_id=None)
        self._partitions: dict[str, list[TopicPartition]] = {}

    async def start(self) -> None:
        await self._admin.start()
        await self._offsets.start()
        every_topic = [self._prefix + topic.name for topic in ALL_TOPICS]
        for topic in every_topic:
            self._partitions[topic] = await partitions_of(self._offsets, [topic])

    async def close(self) -> None:
        await self._offsets.stop()
        await self._admin.close()

    async def end_offsets(self) -> dict[TopicPartition, int]:
        every = [tp for partitions in self._partitions.values() for tp in partitions]
        return await _while_broker_away(lambda: self._offsets.end_offsets(every))

    async def settle(self, now) -> tuple[list[TickAck], dict[TopicPartition, int]]:
        """Wait until nothing is in flight; returns the barrier's acks and the end offsets."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            await self._caught_up(deadline)
            before = await self.end_offsets()
            acks = await self._driver.advance_to(now, timeout=SETTLE_TIMEOUT_S)
            await self._caught_up(deadline)
            after = await self.end_offsets()
            if after == before:
                return acks, after

    async def _caught_up(self, deadline: float) -> None:
        while await self._lag():
            if time.monotonic() > deadline:
                raise NotSettledError(
                    f"services did not catch up within {SETTLE_TIMEOUT_S:.0f}s (lag persists)"
                )
            await asyncio.sleep(POLL_S)

    async def _lag(self) -> int:
        ends = await self.end_offsets()
        lag = 0
        for service, group in self._groups.items():
            committed = await _while_broker_away(
                lambda group=group: self._admin.list_consumer_group_offsets(group)
            )
            for topic in input_topics(service, self._prefix):
                for partition in self._partitions[topic]:
                    done = committed[partition].offset if partition in committed else 0
                    lag += max(ends[partition] - done, 0)
        return lag


async def _while_broker_away(ask: Callable[[], Awaitable[T]]) -> T:
    """Ask again while the broker is away (restarting); the settle deadline bounds it all."""
    delay = POLL_S
    while True:
        try:
            return await ask()
        except KafkaError as error:
            log.info("broker not answering (%r); asking again in %.2fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

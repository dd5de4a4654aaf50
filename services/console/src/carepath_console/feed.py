"""The console's Kafka consumer: every infusion and follow-up event, folded into the board.

It reads from the beginning of the topics with no consumer group (nothing to commit: the
board is rebuilt on every start and no other consumer is disturbed), so the console is one
more reader of the bus, and the services are never polled for what changed."""

import asyncio
import logging
from contextlib import suppress

from aiokafka import AIOKafkaConsumer

from carepath_console.board import Board
from carepath_contracts import FOLLOWUP_EVENTS, INFUSION_EVENTS, ContractError, from_record
from carepath_runtime.bus import Bus

log = logging.getLogger("carepath.console.feed")

TOPICS = (INFUSION_EVENTS.name, FOLLOWUP_EVENTS.name)


class Feed:
    def __init__(self, bus: Bus, topic_prefix: str, board: Board) -> None:
        self._bus = bus
        self._topics = [topic_prefix + topic for topic in TOPICS]
        self._board = board
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.skipped = 0

    @property
    def ready(self) -> bool:
        return self._consumer is not None and bool(self._consumer.assignment())

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            **self._bus.client_options(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name="console-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    try:
                        event = from_record(record.value, record.headers)
                    except ContractError as error:
                        # Not the console's to dead-letter: the owning service's consumers
                        # do that. The board just does not show it.
                        self.skipped += 1
                        log.warning("skipped a record the contracts refuse: %s", error)
                        continue
                    self._board.apply(event)

"""One service's runtime: database, broker, consumer, outbox relay and timers, started and
stopped in the order that keeps the delivery guarantees."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from faststream.kafka import KafkaBroker
from sqlalchemy import text

from carepath_contracts import carepath_source
from carepath_runtime import schema_migrations
from carepath_runtime.auth import Authenticator, StaticTokens
from carepath_runtime.broker import create_broker, subscribe_processor
from carepath_runtime.clock import Clock, ManualClock, SystemClock
from carepath_runtime.consumer import EventProcessor, Handler, Prefetch, RetryPolicy
from carepath_runtime.control_clock import CONTROL_TOPICS, ClockFollower
from carepath_runtime.database import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    transaction,
)
from carepath_runtime.deadletters import DeadLetterQueue
from carepath_runtime.errors import is_transient
from carepath_runtime.inbox import forget_older_than
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.oidc import OidcVerifier
from carepath_runtime.outbox import OutboxRelay, retention_cutoff, unsent_count
from carepath_runtime.publisher import KafkaRecordPublisher, RecordPublisher
from carepath_runtime.scheduler import TimerScheduler
from carepath_runtime.settings import ServiceSettings
from carepath_runtime.timers import TimerHandler, next_due_at
from carepath_runtime.topics_admin import ensure_topics
from carepath_runtime.tracing import Tracing
from carepath_runtime.unit_of_work import UnitOfWork
from carepath_runtime.waiting import wait_until_set

log = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL_S = 3600.0


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes a service itself: its inputs, handlers, timers and schema migrations."""

    name: str
    consumes: Sequence[str]
    dead_letter_topic: str
    handlers: Mapping[str, Handler]
    migrations: Path
    timer_handlers: Mapping[str, TimerHandler] = field(default_factory=dict)
    topics_to_create: Mapping[str, int] = field(default_factory=dict)
    prefetch: Prefetch | None = None
    refusals: tuple[type[Exception], ...] = ()
    """The service's domain errors that refuse an event for good: dead-lettered as
    `RuleViolationError` with their message."""


@dataclass(frozen=True)
class Readiness:
    """What `/readyz` answers: every check, and for each failing one the reason."""

    checks: dict[str, bool]
    reasons: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(self.checks.values())


class ServiceRuntime:
    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        clock: Clock | None = None,
        publisher: Callable[[KafkaBroker], RecordPublisher] | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        """`tracing` defaults to the OTEL_* environment (off without an OTLP endpoint)."""
        self.definition = definition
        self.settings = settings
        self.clock = clock or _clock_for(settings)
        self.source = carepath_source(definition.name)
        self.metrics = ServiceMetrics(definition.name)
        self.tracing = tracing or Tracing.from_environment(definition.name)
        oidc = settings.oidc
        self.authenticator = Authenticator(
            StaticTokens(settings.tokens), OidcVerifier(oidc) if oidc else None
        )
        self.engine = create_engine(settings.resolved_database_url)
        self.sessions = create_sessionmaker(self.engine)
        self.read_sessions = create_read_sessionmaker(self.engine)
        self.broker = create_broker(settings, self.tracing)
        self.publisher = (
            publisher(self.broker)
            if publisher
            else KafkaRecordPublisher(self.broker, tracing=self.tracing)
        )
        self.stopping = asyncio.Event()
        prefix = settings.topic_prefix
        self.relay = OutboxRelay(
            self.engine,
            self.sessions,
            self.read_sessions,
            self.publisher,
            self.clock,
            self.metrics,
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
            retry_max_delay_s=settings.retry_max_delay_s,
        )
        self.retry = RetryPolicy(
            initial_delay_s=settings.retry_initial_delay_s,
            max_delay_s=settings.retry_max_delay_s,
            unexpected_error_attempts=settings.unexpected_error_attempts,
        )
        """The backoff of a batch's retries and of the broker connection's attempts."""
        self.processor = EventProcessor(
            sessions=self.sessions,
            clock=self.clock,
            topic_prefix=prefix,
            source=self.source,
            handlers=definition.handlers,
            dead_letters=DeadLetterQueue(
                self.publisher,
                dlq_topic=prefix + definition.dead_letter_topic,
                service=definition.name,
                group_id=settings.group_id,
            ),
            metrics=self.metrics,
            retry=self.retry,
            on_committed=self.relay.wake,
            stopping=self.stopping,
            prefetch=definition.prefetch,
            refusals=definition.refusals,
            tracing=self.tracing,
        )
        self.scheduler = TimerScheduler(
            sessions=self.sessions,
            clock=self.clock,
            topic_prefix=prefix,
            source=self.source,
            handlers=definition.timer_handlers,
            metrics=self.metrics,
            on_committed=self.relay.wake,
            tracing=self.tracing,
        )
        self.subscriber = subscribe_processor(
            self.broker, [prefix + topic for topic in definition.consumes], self.processor, settings
        )
        self.clock_follower = (
            ClockFollower(
                bus=settings.bus,
                topic_prefix=prefix,
                service=definition.name,
                clock=self.clock,
                on_tick=self.catch_up_with_clock,
                instance=settings.consumer_group_instance_id,
            )
            if settings.clock == "controlled" and isinstance(self.clock, ManualClock)
            else None
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._connecting: asyncio.Task[None] | None = None
        self.started = False
        self.starting: str | None = "not started"
        """What the start is doing or waiting for; None once the service runs."""
        self.start_under_way = False
        """From `prepare` until the service runs or stops: its own routes answer 503."""

    async def start(self) -> None:
        """Migrate, then connect and run (see `connect`); returns once the service runs."""
        await self.prepare()
        await self.connect()

    async def prepare(self) -> None:
        """What needs no broker: the schema migrations (a failure here ends the process)."""
        self.stopping.clear()
        self.start_under_way = True
        self.starting = "migrating the database"
        await schema_migrations.upgrade(self.engine, self.definition.migrations)

    def connect_in_background(self) -> None:
        """`connect` as a task (the HTTP app's lifespan): /readyz answers meanwhile, with
        the reason it is not ready, and the service's own routes answer 503."""
        self._connecting = asyncio.create_task(self.connect(), name="service-connect")

    async def connect(self) -> None:
        """Wait for the broker (backoff, never giving up), create topics, catch up with the
        clock topic in controlled-clock mode, and only then consume and start the relay,
        timers and housekeeping: no handler, timer or route works on a stale clock."""
        attempt = 0
        while True:
            if self.stopping.is_set():
                return
            try:
                await self._connect_once()
                break
            except Exception as error:
                attempt += 1
                delay = self.retry.delay(attempt)
                waiting = "waiting for the broker" if is_transient(error) else "start failed"
                self.starting = (
                    f"{waiting}: {type(error).__name__} (attempt {attempt}, next in {delay:.1f}s)"
                )
                log.warning("%s: %s: %s", self.definition.name, self.starting, error)
                await self._disconnect()
                await wait_until_set(self.stopping, delay)
        if self.clock_follower:
            self.clock_follower.follow()
        self._tasks = [
            asyncio.create_task(self.relay.run(self.stopping), name="outbox-relay"),
            asyncio.create_task(
                self.scheduler.run(
                    self.stopping,
                    self.settings.scheduler_poll_interval_s,
                    self.settings.retry_max_delay_s,
                ),
                name="timer-scheduler",
            ),
            asyncio.create_task(self._housekeeping(), name="housekeeping"),
        ]
        self.starting = None
        self.started = True
        self.start_under_way = False
        log.info("%s started", self.definition.name)

    async def _connect_once(self) -> None:
        self.starting = "connecting to the broker"
        if self.settings.create_topics and self.definition.topics_to_create:
            topics = dict(self.definition.topics_to_create)
            if self.clock_follower:
                topics |= CONTROL_TOPICS
            await ensure_topics(
                self.settings.bus,
                {self.settings.topic_prefix + name: count for name, count in topics.items()},
            )
        if self.clock_follower:
            self.starting = "catching up with the clock topic"
            await self.clock_follower.catch_up()
        await self.broker.start()  # the consumer starts here: after the clock caught up

    async def _disconnect(self) -> None:
        if self.clock_follower:
            with suppress(Exception):
                await self.clock_follower.stop()
        with suppress(Exception):
            await self.broker.stop()

    async def stop(self) -> None:
        """Finish the batch in hand and commit it, flush the outbox, then disconnect."""
        self.stopping.set()
        self.start_under_way = False
        if self._connecting:
            self._connecting.cancel()
            with suppress(asyncio.CancelledError):
                await self._connecting
            self._connecting = None
        if not self.started:
            await self._disconnect()  # a start cut short
            await self.engine.dispose()
            return
        self.started = False
        self.relay.wake()
        if self.clock_follower:
            await self.clock_follower.stop()
        await self.subscriber.stop()
        relay, *others = self._tasks
        for task in others:
            task.cancel()  # a timer's transaction either committed or rolls back: both safe
            with suppress(asyncio.CancelledError):
                await task
        # The relay is not cancelled: a pass cut between publish and "mark sent" would
        # publish those records again. It ends by itself after its current pass.
        await relay
        try:
            await asyncio.wait_for(self.relay.flush(), self.settings.shutdown_timeout_s)
        except Exception as error:
            log.warning("outbox not fully flushed at shutdown (%r); it resumes at start", error)
        await self.broker.stop()
        await self.engine.dispose()
        await asyncio.to_thread(self.tracing.shutdown)  # the last spans leave too
        log.info("%s stopped", self.definition.name)

    async def catch_up_with_clock(self) -> tuple[int, datetime | None]:
        """After the clock moved: fire what is due, publish it, say when the next is due."""
        fired = await self.scheduler.fire_due()
        await self.relay.flush()
        async with self.read_sessions() as session:
            return fired, await next_due_at(session)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """For HTTP handlers: one transaction; emitted events go out once it commits."""
        async with transaction(self.sessions) as session:
            unit = UnitOfWork(session, self.clock, self.settings.topic_prefix, source=self.source)
            yield unit
            await unit.flush()
        if unit.emitted:
            self.relay.wake()

    async def readiness(self) -> Readiness:
        checks: dict[str, bool] = {}
        reasons: dict[str, str] = {}

        def check(name: str, ok: bool, reason: str) -> None:
            checks[name] = ok
            if not ok:
                reasons[name] = reason

        check("started", self.started, self.starting or "stopped")
        if self.clock_follower:
            check(
                "clock_caught_up",
                self.clock_follower.caught_up,
                "the clock topic is not replayed yet",
            )
        broker = False
        with suppress(Exception):
            broker = await self.broker.ping(timeout=2.0)
        check("broker", broker, "the Kafka cluster does not answer")
        try:
            async with self.read_sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:
            check("database", False, f"the database does not answer: {type(error).__name__}")
        else:
            check("database", True, "")
        consumer = self.subscriber.consumer
        check(
            "partitions_assigned",
            bool(consumer is not None and consumer.assignment()),
            "the consumer holds no partition of its topics",
        )
        stalled_for = self.processor.stalled_for()
        check(
            "consumer_progress",
            stalled_for < self.settings.consumer_stall_after_s,
            f"no batch committed for {stalled_for:.0f}s while records wait "
            "(see carepath_batch_rewinds_total, carepath_handler_failures_total and the log)",
        )
        return Readiness(checks, reasons)

    async def refresh_gauges(self) -> None:
        """Outbox backlog and consumer lag, measured when metrics are scraped."""
        with suppress(Exception):
            async with self.read_sessions() as session:
                self.metrics.outbox_backlog.set(await unsent_count(session))
        self.metrics.consumer_stalled.set(self.processor.stalled_for())
        consumer = self.subscriber.consumer
        if consumer is None:
            return
        lag = 0
        with suppress(Exception):
            for partition in consumer.assignment():
                highwater = consumer.highwater(partition)
                if highwater is not None:
                    lag += max(highwater - await consumer.position(partition), 0)
            self.metrics.consumer_lag.set(lag)

    async def _housekeeping(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.forget_old_records()
            except Exception as error:
                log.warning("housekeeping failed: %r", error)
            await wait_until_set(self.stopping, HOUSEKEEPING_INTERVAL_S)

    async def forget_old_records(self) -> None:
        """Housekeeping: the inbox and sent outbox rows are kept for the retention window."""
        cutoff = retention_cutoff(self.clock, self.settings.retention_days)
        async with transaction(self.sessions) as session:
            await forget_older_than(session, cutoff)
        await self.relay.forget_sent_before(cutoff)


def _clock_for(settings: ServiceSettings) -> Clock:
    if settings.clock == "controlled":
        return ManualClock(settings.clock_start)
    return SystemClock()

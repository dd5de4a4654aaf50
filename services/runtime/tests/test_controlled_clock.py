"""Time moved by the control topic: due timers fire, outboxes flush, services acknowledge."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from carepath_contracts import ALL_TOPICS
from carepath_runtime.clock import ManualClock
from carepath_runtime.control_clock import (
    CLOCK_ACKS_TOPIC,
    CLOCK_TOPIC,
    CONTROL_TOPICS,
    ClockDriver,
    ClockFollower,
    TickAck,
)
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce, produce_events, read_to_end
from carepath_testing.probe.builders import probe_settings, referral
from carepath_testing.probe.service import (
    REMINDER_AFTER,
    accept_referral,
    handled,
    probe_definition,
)

pytestmark = pytest.mark.kafka


async def handled_ids(runtime: ServiceRuntime) -> set[str]:
    async with runtime.sessions() as session:
        return set((await session.execute(select(handled.c.event_id))).scalars())


async def test_a_tick_fires_due_timers_and_the_ack_names_the_next_due_time(
    kafka_bootstrap, topic_prefix, database_url
):
    settings = probe_settings(kafka_bootstrap, topic_prefix, database_url, clock="controlled")
    runtime = ServiceRuntime(probe_definition(), settings)
    start = settings.clock_start
    await runtime.start()
    try:
        event = referral()
        await produce_events(kafka_bootstrap, [event], topic_prefix)
        await eventually(
            lambda: _has(runtime, event.id), what="referral handled and reminder scheduled"
        )
        async with ClockDriver(kafka_bootstrap, topic_prefix, ["probe"]) as driver:
            (before,) = await driver.advance_to(start + REMINDER_AFTER / 2)
            assert (before.fired, before.next_due_at) == (0, start + REMINDER_AFTER)
            assert f"reminder:{event.subject}" not in await handled_ids(runtime)

            (after,) = await driver.advance_to(start + REMINDER_AFTER)
            assert (after.fired, after.next_due_at, after.now) == (1, None, start + REMINDER_AFTER)
            assert f"reminder:{event.subject}" in await handled_ids(runtime)
    finally:
        await runtime.stop()
    assert runtime.clock.now() == start + REMINDER_AFTER


async def test_a_restarted_service_catches_up_with_the_time_already_reached(
    kafka_bootstrap, topic_prefix, database_url
):
    settings = probe_settings(kafka_bootstrap, topic_prefix, database_url, clock="controlled")
    first = ServiceRuntime(probe_definition(), settings)
    await first.start()
    async with ClockDriver(kafka_bootstrap, topic_prefix, ["probe"]) as driver:
        await driver.advance_to(settings.clock_start + REMINDER_AFTER * 10)
    await first.stop()

    second = ServiceRuntime(probe_definition(), settings)
    await second.start()
    try:
        await eventually(
            lambda: second.clock.now() == settings.clock_start + REMINDER_AFTER * 10,
            what="restarted service back at the shared time",
        )
    finally:
        await second.stop()


async def _has(runtime: ServiceRuntime, event_id: str) -> bool:
    return event_id in await handled_ids(runtime)


async def test_a_service_started_on_a_clock_topic_with_history_handles_nothing_before_catching_up(
    kafka_bootstrap, topic_prefix, database_url, create_topics
):
    # The clock topic holds a long history (a run that went on while this service was down),
    # and an event waits on the inbound topic.
    await create_topics(
        {topic_prefix + topic.name: topic.partitions for topic in ALL_TOPICS}
        | {topic_prefix + name: count for name, count in CONTROL_TOPICS.items()}
    )
    settings = probe_settings(kafka_bootstrap, topic_prefix, database_url, clock="controlled")
    moments = [settings.clock_start + timedelta(minutes=10 * step) for step in range(1, 1501)]
    await produce(
        kafka_bootstrap,
        topic_prefix + CLOCK_TOPIC,
        [
            (None, json.dumps({"tick": f"t{i}", "now": m.isoformat()}).encode(), [])
            for i, m in enumerate(moments)
        ],
    )
    event = referral()
    await produce_events(kafka_bootstrap, [event], topic_prefix)
    seen_at = []

    async def note_the_time(unit, handled_event):
        seen_at.append(unit.now())
        await accept_referral(unit, handled_event)

    runtime = ServiceRuntime(probe_definition(note_the_time), settings)
    await runtime.start()
    try:
        await eventually(lambda: bool(seen_at), what="the waiting event handled")
        readiness = await runtime.readiness()
    finally:
        await runtime.stop()
    assert seen_at == [moments[-1]]  # never on a clock the driver had left behind
    assert readiness.checks["clock_caught_up"] is True


async def test_a_replica_restarted_after_its_acknowledgement_does_not_stand_in_for_another(
    kafka_bootstrap, topic_prefix, database_url
):
    """Two replicas: the first acknowledges a step, is killed and comes back (it acknowledges
    the replayed step again). The step still waits for the second replica: a replica is known
    by its static group instance id, kept across restarts, not by its process."""
    settings = probe_settings(kafka_bootstrap, topic_prefix, database_url, clock="controlled")
    first, second = (
        settings.model_copy(update={"consumer_group_instance_id": f"probe-{n}"}) for n in (1, 2)
    )
    replica = ServiceRuntime(probe_definition(), first)
    await replica.start()
    async with ClockDriver(kafka_bootstrap, topic_prefix, {"probe": 2}) as driver:
        step = asyncio.create_task(driver.advance_to(settings.clock_start + REMINDER_AFTER))
        try:
            await eventually(
                lambda: _acks_on_topic(kafka_bootstrap, topic_prefix, 1), what="first ack"
            )
            await replica.stop()
            replica = ServiceRuntime(probe_definition(), first)
            await replica.start()
            await eventually(
                lambda: _acks_on_topic(kafka_bootstrap, topic_prefix, 2), what="its ack again"
            )
            other = ServiceRuntime(probe_definition(), second)
            await other.start()
            try:
                acks = await asyncio.wait_for(step, timeout=60)
            finally:
                await other.stop()
        finally:
            step.cancel()
            await replica.stop()
    assert {ack.instance for ack in acks} == {"probe-1", "probe-2"}


async def _acks_on_topic(bootstrap: str, prefix: str, count: int) -> bool:
    return len(await read_to_end(bootstrap, prefix + CLOCK_ACKS_TOPIC)) >= count


async def test_ticks_published_while_a_follower_catches_up_are_moved_to_and_acknowledged(
    kafka_bootstrap, topic_prefix, create_topics, monkeypatch
):
    """The catch-up reads the clock topic to its end as of when it started; ticks published
    after that, but fetched in the same batch, are past the consumer's position already: the
    follower moves to them and acknowledges the last (else no one does until the driver
    publishes it again). The end offset is read two records short, as if the last two ticks
    came in after it was read, so the race is forced rather than timed."""
    await create_topics({topic_prefix + name: count for name, count in CONTROL_TOPICS.items()})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=step) for step in (1, 2, 3)]
    await produce(
        kafka_bootstrap,
        topic_prefix + CLOCK_TOPIC,
        [
            (None, json.dumps({"tick": f"t{i}", "now": m.isoformat()}).encode(), [])
            for i, m in enumerate(moments)
        ],
    )
    end_offsets = AIOKafkaConsumer.end_offsets

    async def two_short(consumer, partitions):
        return {tp: offset - 2 for tp, offset in (await end_offsets(consumer, partitions)).items()}

    async def nothing_due():
        return 0, None

    clock = ManualClock(start)
    follower = ClockFollower(
        bus=kafka_bootstrap,
        topic_prefix=topic_prefix,
        service="probe",
        clock=clock,
        on_tick=nothing_due,
    )
    with monkeypatch.context() as patched:
        patched.setattr(AIOKafkaConsumer, "end_offsets", two_short)
        await follower.catch_up()
    try:
        assert clock.now() == moments[-1]
        follower.follow()
        await eventually(
            lambda: _acked(kafka_bootstrap, topic_prefix, "t2"), what="the last tick acknowledged"
        )
    finally:
        await follower.stop()


async def _acked(bootstrap: str, prefix: str, tick: str) -> bool:
    acks = await read_to_end(bootstrap, prefix + CLOCK_ACKS_TOPIC)
    return any(TickAck.from_json(record.value).tick == tick for record in acks)

"""Time moved by the control topic: due timers fire, outboxes flush, services acknowledge."""

import pytest
from sqlalchemy import select

from carepath_runtime.control_clock import ClockDriver
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events
from carepath_testing.probe.builders import probe_settings, referral
from carepath_testing.probe.service import REMINDER_AFTER, handled, probe_definition

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

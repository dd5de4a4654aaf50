"""A service and a broker that is not there (issue 12, finding 4): started before its broker,
the service waits with backoff and says why on /readyz, then starts when the broker appears;
when the broker goes away later it stays up, not ready, and carries on when it is back.

The broker here is one of this test's own (the session's cannot be stopped), a real
single-node Kafka on the local JVM, restarted on the same data and port.
"""

import asyncio

import pytest

from carepath_contracts import INTAKE_EVENTS, from_record
from carepath_localkafka import LocalKafka
from carepath_localkafka.ports import find_free_port
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events, read_until
from carepath_testing.probe.builders import probe_settings, referral
from carepath_testing.probe.service import probe_definition

pytestmark = pytest.mark.kafka

BROKER_START_S = 120.0  # a JVM broker on a busy machine


async def replied(settings, event) -> None:
    def has_reply(records) -> bool:
        events = (from_record(record.value, record.headers) for record in records)
        return any(reply.causationid == event.id for reply in events)

    await read_until(
        settings.bus, settings.topic_prefix + INTAKE_EVENTS.name, has_reply, timeout=90
    )


async def test_a_service_waits_for_its_broker_and_rides_through_a_broker_restart(tmp_path):
    port = find_free_port()
    kafka = LocalKafka(
        port=port,
        data_dir=tmp_path / "kafka",
        controller_port=find_free_port(exclude=frozenset({port})),
        ready_timeout=BROKER_START_S,
        stop_with_parent=True,
    )
    settings = probe_settings(
        kafka.bootstrap, "outage.", f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}"
    ).model_copy(update={"retry_max_delay_s": 1.0, "kafka_retry_backoff_ms": 1000})
    runtime = ServiceRuntime(probe_definition(), settings)
    await runtime.prepare()
    runtime.connect_in_background()
    try:
        await eventually(
            lambda: "waiting for the broker" in (runtime.starting or ""),
            what="the service waiting for its broker",
        )
        before = await runtime.readiness()
        await asyncio.to_thread(kafka.start)
        await eventually(lambda: runtime.started, what="started once the broker is up", timeout=90)
        first = referral()
        await produce_events(settings.bus, [first], settings.topic_prefix)
        await replied(settings, first)

        await asyncio.to_thread(kafka.stop)

        async def broker_gone() -> bool:
            return not (await runtime.readiness()).checks["broker"]

        await eventually(broker_gone, what="readiness without the broker")
        during = await runtime.readiness()

        await asyncio.to_thread(kafka.start)
        second = referral()
        await produce_events(settings.bus, [second], settings.topic_prefix)
        await replied(settings, second)
        after = await runtime.readiness()
    finally:
        await runtime.stop()
        await asyncio.to_thread(kafka.stop)

    assert not before.ready
    assert before.reasons["started"].startswith("waiting for the broker: KafkaConnectionError")
    assert not during.ready and during.checks["started"]  # up, never ended, not ready
    assert during.reasons["broker"] == "the Kafka cluster does not answer"
    assert after.checks["started"] and after.checks["broker"]

"""The simulator rides through a restart of a service or of the broker, as any outside
system must: it sends a form again, resumes a clock step, and reads each event id once."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from carepath_contracts import ALL_TOPICS, INTAKE_EVENTS, PatientWithdrawn, new_event
from carepath_contracts.intake import WithdrawalReason
from carepath_runtime.bus import Bus
from carepath_runtime.control_clock import (
    CLOCK_ACKS_TOPIC,
    CLOCK_TOPIC,
    CONTROL_TOPICS,
    ClockDriver,
    TickAck,
)
from carepath_runtime.topic_reading import partitions_of
from carepath_simulator.observer import EventObserver
from carepath_simulator.outside import PortalError, ReferralPortal
from carepath_testing.kafka_io import produce_events

REPLY = {"patient_id": "p-0123456789abcdef", "pathway_id": "pw-0123456789abcdef"}
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def portal(*answers) -> tuple[ReferralPortal, list[httpx.Request]]:
    """A portal whose HTTP transport answers (or fails) in the order given."""
    sent: list[httpx.Request] = []
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return (
        ReferralPortal(
            "http://intake",
            integration_token="i",
            clinician_token="c",
            transport=httpx.MockTransport(answer),
        ),
        sent,
    )


async def test_a_referral_is_sent_again_after_a_connection_error():
    door, sent = portal(httpx.ConnectError("connection refused"), httpx.Response(201, json=REPLY))
    assert await door.refer({"external_referral_id": "ext-1"}) == (
        REPLY["patient_id"],
        REPLY["pathway_id"],
    )
    assert [request.url.path for request in sent] == ["/v1/referrals", "/v1/referrals"]


async def test_a_withdrawal_is_sent_again_after_a_5xx():
    door, sent = portal(httpx.Response(503, text="starting"), httpx.Response(200, json={}))
    await door.withdraw("p-0123456789abcdef")
    assert len(sent) == 2


async def test_an_approval_that_went_through_before_the_reply_was_lost_counts_as_done():
    door, sent = portal(
        httpx.ReadError("connection reset"), httpx.Response(409, json={"detail": "decided"})
    )
    await door.approve("p-0123456789abcdef")
    assert len(sent) == 2


async def test_a_refusal_is_reported_at_once_not_retried():
    door, sent = portal(httpx.Response(422, json={"detail": "bad form"}))
    with pytest.raises(PortalError, match="422"):
        await door.screen("p-0123456789abcdef", {})
    assert len(sent) == 1


@pytest.mark.kafka
async def test_an_event_published_again_with_its_id_is_read_once(
    kafka_bootstrap, topic_prefix, create_topics
):
    await create_topics({topic_prefix + topic.name: topic.partitions for topic in ALL_TOPICS})
    observer = EventObserver(Bus(kafka_bootstrap), topic_prefix)
    await observer.start()
    try:
        event = new_event(
            PatientWithdrawn(reason_code=WithdrawalReason.CONSENT_WITHDRAWN, withdrawn_at=NOW),
            subject="p-0123456789abcdef",
            correlation_id="pw-0123456789abcdef",
            source="carepath/intake",
            time=NOW,
        )
        # The relay published it, crashed before marking it sent, and published it again.
        await produce_events(kafka_bootstrap, [event, event], topic_prefix)
        ends = await _end_offsets(kafka_bootstrap, topic_prefix)
        assert [seen.id for seen in await observer.drain(ends)] == [event.id]
        assert (observer.read, observer.repeats) == (1, 1)
    finally:
        await observer.close()


@pytest.mark.kafka
async def test_a_clock_step_whose_acknowledgement_is_late_is_resumed(
    kafka_bootstrap, topic_prefix, create_topics
):
    """A service that was down when the tick went out answers it only when it sees it again
    (a restarted follower replays the clock topic); the step waits, then goes on."""
    await create_topics({topic_prefix + name: count for name, count in CONTROL_TOPICS.items()})
    late = asyncio.create_task(_acknowledge_the_second_time(kafka_bootstrap, topic_prefix))
    try:
        async with ClockDriver(kafka_bootstrap, topic_prefix, ["late"]) as driver:
            (ack,) = await driver.advance_to(NOW, patience=0.5, timeout=60)
        assert (ack.service, ack.now) == ("late", NOW)
    finally:
        late.cancel()


@pytest.mark.kafka
async def test_a_clock_step_waits_for_every_replica_of_a_service(
    kafka_bootstrap, topic_prefix, create_topics
):
    """With two infusion replicas, one replica's acknowledgement does not end the step: the
    other may still be behind the shared clock (just restarted, replaying) while it consumes."""
    await create_topics({topic_prefix + name: count for name, count in CONTROL_TOPICS.items()})
    prompt = asyncio.create_task(
        _acknowledge(kafka_bootstrap, topic_prefix, "infusion", sighting=1)
    )
    late = asyncio.create_task(_acknowledge(kafka_bootstrap, topic_prefix, "infusion", sighting=2))
    try:
        async with ClockDriver(kafka_bootstrap, topic_prefix, {"infusion": 2}) as driver:
            acks = await driver.advance_to(NOW, patience=0.5, timeout=60)
        assert len({ack.instance for ack in acks}) == 2
        assert {(ack.service, ack.now) for ack in acks} == {("infusion", NOW)}
    finally:
        prompt.cancel()
        late.cancel()


async def _acknowledge_the_second_time(bootstrap: str, prefix: str) -> None:
    await _acknowledge(bootstrap, prefix, "late", sighting=2)


async def _acknowledge(bootstrap: str, prefix: str, service: str, *, sighting: int) -> None:
    """One instance of `service` that answers a tick the `sighting`-th time it sees it."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    try:
        consumer.assign([TopicPartition(prefix + CLOCK_TOPIC, 0)])
        await consumer.seek_to_beginning(TopicPartition(prefix + CLOCK_TOPIC, 0))
        seen: dict[str, int] = {}
        instance = f"{service}-{uuid.uuid4().hex[:8]}"
        async for record in consumer:
            tick = json.loads(record.value)
            seen[tick["tick"]] = seen.get(tick["tick"], 0) + 1
            if seen[tick["tick"]] != sighting:
                continue
            ack = TickAck(
                tick=tick["tick"],
                service=service,
                instance=instance,
                now=datetime.fromisoformat(tick["now"]),
                next_due_at=None,
                fired=0,
            )
            await producer.send_and_wait(prefix + CLOCK_ACKS_TOPIC, ack.to_json())
    finally:
        await consumer.stop()
        await producer.stop()


async def _end_offsets(bootstrap: str, prefix: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, [prefix + INTAKE_EVENTS.name])
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()

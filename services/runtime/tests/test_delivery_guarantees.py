"""The runtime's guarantees, on the real broker and a real database (SQLite and PostgreSQL)."""

import itertools
import json
import time

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from carepath_contracts import (
    INTAKE_DLQ,
    INTAKE_EVENTS,
    INTAKE_INBOUND,
    ReferralAccepted,
    caused_by,
    from_record,
)
from carepath_runtime import deadletters
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import eventually, metric_total
from carepath_testing.kafka_io import header, produce, produce_events, read_until
from carepath_testing.probe.builders import referral
from carepath_testing.probe.service import accept_referral, handled, probe_definition

pytestmark = pytest.mark.kafka


def replies_to(records, cause_ids: set[str]) -> list:
    events = [from_record(record.value, record.headers) for record in records]
    return [event for event in events if event.causationid in cause_ids]


async def test_an_event_is_handled_once_and_its_reply_reaches_kafka(settings, kafka_bootstrap):
    runtime = ServiceRuntime(probe_definition(), settings)
    await runtime.start()
    try:
        event = referral()
        await produce_events(kafka_bootstrap, [event], settings.topic_prefix)
        records = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, {event.id})) >= 1,
        )
    finally:
        await runtime.stop()
    (reply,) = replies_to(records, {event.id})
    assert reply.type == "carepath.intake.referral-accepted.v1"
    assert (reply.subject, reply.correlationid) == (event.subject, event.correlationid)
    assert header(records[-1], "content-type").startswith("application/cloudevents+json")
    assert records[-1].key == event.subject.encode()


async def test_event_redelivered_after_a_crash_before_the_offset_commit_is_skipped(
    settings, kafka_bootstrap
):
    first = ServiceRuntime(probe_definition(), settings)
    crashed = False
    real_process = first.processor.process

    async def process_then_crash(records):
        nonlocal crashed
        await real_process(records)  # the database transaction has committed here
        crashed = True
        raise RuntimeError("process died before committing the offset")

    first.processor.process = process_then_crash
    await first.start()
    event = referral()
    await produce_events(kafka_bootstrap, [event], settings.topic_prefix)
    await eventually(lambda: crashed, what="first batch handled")
    await first.stop()  # no offset was committed: the broker will redeliver

    second = ServiceRuntime(probe_definition(), settings)
    await second.start()
    try:
        await eventually(
            lambda: metric_total(second.metrics.registry, "carepath_events_duplicate_total") >= 1,
            what="redelivered event skipped by the inbox",
        )
    finally:
        await second.stop()

    records = await read_until(
        kafka_bootstrap,
        settings.topic_prefix + INTAKE_EVENTS.name,
        lambda got: len(replies_to(got, {event.id})) >= 1,
    )
    assert len(replies_to(records, {event.id})) == 1
    async with second.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(handled))
    assert count == 1


async def test_poison_messages_are_dead_lettered_and_the_partition_moves_on(
    settings, kafka_bootstrap
):
    good = referral(patient_id="p-same-partition")
    unknown = json.loads(good.model_dump_json())
    unknown.update(id="5b1f3f2e-8f9e-4c51-9a6e-0a1b2c3d4e5f", type="carepath.intake.mystery.v1")
    invalid = json.loads(good.model_dump_json())
    invalid.update(id="6c2f3f2e-8f9e-4c51-9a6e-0a1b2c3d4e5f")
    del invalid["data"]["responder_role"]
    key = good.subject.encode()
    content_type = [("content-type", b"application/cloudevents+json; charset=utf-8")]

    runtime = ServiceRuntime(probe_definition(), settings)
    await runtime.start()
    try:
        topic = settings.topic_prefix + INTAKE_INBOUND.name
        await produce(
            kafka_bootstrap,
            topic,
            [
                (key, b"{not json", content_type),
                (key, json.dumps(unknown).encode(), content_type),
                (key, json.dumps(invalid).encode(), content_type),
            ],
        )
        await produce_events(kafka_bootstrap, [good], settings.topic_prefix)
        dead = await read_until(
            kafka_bootstrap, settings.topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= 3
        )
        replies = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, {good.id})) == 1,
        )
    finally:
        await runtime.stop()

    assert len(replies_to(replies, {good.id})) == 1
    assert [header(r, deadletters.ERROR_CLASS) for r in dead] == [
        "NotJsonError",
        "UnknownEventTypeError",
        "InvalidEventError",
    ]
    assert "carepath.intake.mystery.v1" in header(dead[1], deadletters.ERROR_MESSAGE)
    assert "responder_role" in header(dead[2], deadletters.ERROR_MESSAGE)
    offsets = [int(header(r, deadletters.ORIGINAL_OFFSET)) for r in dead]
    assert offsets == sorted(offsets) and len(set(offsets)) == 3
    for record in dead:
        assert header(record, deadletters.ORIGINAL_TOPIC) == topic
        assert header(record, deadletters.ORIGINAL_PARTITION).isdigit()
        assert header(record, deadletters.CONSUMER_GROUP) == settings.group_id
        assert header(record, deadletters.DEAD_LETTERED_AT)
        assert record.key == key
    assert dead[0].value == b"{not json"


async def test_a_transient_database_failure_is_retried_with_backoff_without_a_duplicate(
    settings, kafka_bootstrap
):
    attempts: list[float] = []

    async def flaky(unit, event):
        attempts.append(time.monotonic())
        if len(attempts) <= 2:
            raise OperationalError("INSERT INTO probe_handled", {}, Exception("database is locked"))
        await accept_referral(unit, event)

    runtime = ServiceRuntime(probe_definition(flaky), settings)
    await runtime.start()
    try:
        event = referral()
        await produce_events(kafka_bootstrap, [event], settings.topic_prefix)
        records = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, {event.id})) >= 1,
        )
    finally:
        await runtime.stop()

    assert len(attempts) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    # Backoff, not a hot loop: each wait is at least the configured delay, and doubles.
    assert gaps[0] >= settings.retry_initial_delay_s * 0.9
    assert gaps[1] >= settings.retry_initial_delay_s * 2 * 0.9
    assert len(replies_to(records, {event.id})) == 1
    exposition = runtime.metrics.exposition().decode()
    assert 'carepath_handler_failures_total{kind="transient",service="probe"} 2.0' in exposition


async def test_a_buffered_write_that_fails_at_the_flush_dead_letters_only_its_own_event(
    settings, kafka_bootstrap
):
    # The handler buffers a row keyed by the patient, so a second referral of the same
    # patient breaks the primary key only when the batch's buffered rows are written.
    async def reply_and_record_patient_later(unit, event):
        unit.write_later(insert(handled), {"event_id": event.subject, "patient_id": "p"})
        reply = ReferralAccepted(
            responder_role=event.data.responder_role,
            referral_source=event.data.referral_source,
            accepted_at=unit.now(),
        )
        await unit.emit(caused_by(event, reply, source="carepath/probe", time=unit.now()))

    first, again = referral(patient_id="p-twice"), referral(patient_id="p-twice")
    other = referral(patient_id="p-once")
    settings = settings.model_copy(update={"unexpected_error_attempts": 2})
    runtime = ServiceRuntime(probe_definition(reply_and_record_patient_later), settings)
    await runtime.start()
    try:
        await produce_events(kafka_bootstrap, [first, again, other], settings.topic_prefix)
        dead = await read_until(
            kafka_bootstrap, settings.topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= 1
        )
        replies = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, {first.id, other.id})) >= 2,
        )
    finally:
        await runtime.stop()

    assert [from_record(r.value, r.headers).id for r in dead] == [again.id]
    assert header(dead[0], deadletters.ERROR_CLASS) == "IntegrityError"
    assert sorted(e.causationid for e in replies_to(replies, {first.id, again.id, other.id})) == (
        sorted([first.id, other.id])
    )
    async with runtime.sessions() as session:
        rows = (await session.execute(select(handled.c.event_id))).scalars().all()
    assert sorted(rows) == ["p-once", "p-twice"]

"""What a consumer accepts from the bus: the record key is the event's patient, and an event id
means one content. On the real broker and a real database (SQLite and PostgreSQL)."""

import json

import pytest

from carepath_contracts import INTAKE_DLQ, INTAKE_EVENTS, INTAKE_INBOUND, from_record
from carepath_contracts.records import to_record
from carepath_runtime import deadletters
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import metric_total
from carepath_testing.kafka_io import header, produce, produce_events, read_until
from carepath_testing.probe.builders import referral
from carepath_testing.probe.service import probe_definition

pytestmark = pytest.mark.kafka


def replies_to(records, cause_id: str) -> list:
    events = [from_record(record.value, record.headers) for record in records]
    return [event for event in events if event.causationid == cause_id]


def as_raw(event, key: bytes | None) -> tuple[bytes | None, bytes, list]:
    record = to_record(event)
    return key, record.value, list(record.headers)


async def test_a_record_without_a_key_or_keyed_to_another_patient_is_dead_lettered(
    settings, kafka_bootstrap
):
    unkeyed, miskeyed, good = referral(), referral(), referral()
    runtime = ServiceRuntime(probe_definition(), settings)
    await runtime.start()
    try:
        topic = settings.topic_prefix + INTAKE_INBOUND.name
        await produce(
            kafka_bootstrap,
            topic,
            [as_raw(unkeyed, None), as_raw(miskeyed, b"p-someone-else")],
        )
        await produce_events(kafka_bootstrap, [good], settings.topic_prefix)
        dead = await read_until(
            kafka_bootstrap, settings.topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= 2
        )
        replies = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, good.id)) == 1,
        )
    finally:
        await runtime.stop()
    by_id = {json.loads(record.value)["id"]: record for record in dead}
    assert set(by_id) == {unkeyed.id, miskeyed.id}
    for record in dead:
        assert header(record, deadletters.ERROR_CLASS) == "RecordKeyError"
    assert "no key" in header(by_id[unkeyed.id], deadletters.ERROR_MESSAGE)
    assert "differs from the event's subject" in header(
        by_id[miskeyed.id], deadletters.ERROR_MESSAGE
    )
    # Neither was handled: no reply is caused by them.
    assert replies_to(replies, unkeyed.id) == [] and replies_to(replies, miskeyed.id) == []


async def test_an_event_id_seen_with_other_content_is_a_conflict_an_exact_repeat_is_not(
    settings, kafka_bootstrap
):
    first = referral()
    # The same id about another patient (another source could have reused it, or forged it).
    impostor = first.model_copy(update={"subject": "p-another-patient"})
    marker = referral()
    runtime = ServiceRuntime(probe_definition(), settings)
    await runtime.start()
    try:
        events_topic = settings.topic_prefix + INTAKE_EVENTS.name
        await produce_events(kafka_bootstrap, [first], settings.topic_prefix)
        await read_until(kafka_bootstrap, events_topic, lambda got: len(replies_to(got, first.id)))
        # An exact repeat (a producer's retry) and the impostor, then an event to wait for.
        await produce_events(kafka_bootstrap, [first, impostor, marker], settings.topic_prefix)
        replies = await read_until(
            kafka_bootstrap, events_topic, lambda got: len(replies_to(got, marker.id)) == 1
        )
        dead = await read_until(
            kafka_bootstrap, settings.topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= 1
        )
    finally:
        await runtime.stop()
    assert len(replies_to(replies, first.id)) == 1  # handled once, whatever came after
    [conflict] = dead
    assert header(conflict, deadletters.ERROR_CLASS) == "EventIdConflictError"
    assert first.id in header(conflict, deadletters.ERROR_MESSAGE)
    assert json.loads(conflict.value)["subject"] == "p-another-patient"
    assert metric_total(runtime.metrics.registry, "carepath_events_duplicate_total") == 1

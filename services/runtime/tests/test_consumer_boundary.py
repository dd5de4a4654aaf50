"""Faults at the consumer's boundary, injected on the real broker and a real database: whatever
goes wrong with one batch, every record of it is afterwards handled or dead-lettered exactly
once, and nothing is committed past a record that was neither.

Each batch is produced before the service starts, with one key, so that it is one batch of one
partition: a poison record in the middle of patients the service does not know.
"""

import dataclasses
import hashlib
import json

import pytest
from sqlalchemy.exc import OperationalError

from carepath_contracts import (
    ALL_TOPICS,
    INTAKE_DLQ,
    INTAKE_EVENTS,
    INTAKE_INBOUND,
    caused_by,
    from_record,
)
from carepath_contracts.intake import ReferralAccepted
from carepath_contracts.records import to_record
from carepath_runtime import deadletters, inbox
from carepath_runtime.errors import RuleViolationError
from carepath_runtime.service import ServiceRuntime
from carepath_testing.conditions import eventually, metric_total
from carepath_testing.kafka_io import header, produce, produce_events, read_to_end, uncommitted
from carepath_testing.probe.builders import probe_settings, referral
from carepath_testing.probe.service import probe_definition

pytestmark = pytest.mark.kafka

PATIENT = "p-boundary"
UNKNOWN = "unknown patient"


@pytest.fixture
async def settings(kafka_bootstrap, topic_prefix, database_url, create_topics):
    # The topics exist before the service starts: each batch waits there for it.
    await create_topics({topic_prefix + topic.name: topic.partitions for topic in ALL_TOPICS})
    return probe_settings(kafka_bootstrap, topic_prefix, database_url)


async def reply_unless_unknown(unit, event):
    """Like a real service: an event about a patient it does not know is refused for good;
    the others get a reply (and nothing else, so the inbox is the only unique row)."""
    if event.data.external_referral_id.startswith("unknown"):
        raise RuleViolationError(f"{UNKNOWN}: no referral for this patient")
    reply = ReferralAccepted(
        responder_role=event.data.responder_role,
        referral_source=event.data.referral_source,
        accepted_at=unit.now(),
    )
    await unit.emit(caused_by(event, reply, source="carepath/probe", time=unit.now()))


def event(kind: str):
    built = referral(patient_id=PATIENT)
    data = built.data.model_copy(update={"external_referral_id": f"{kind}-{built.id[:8]}"})
    return built.model_copy(update={"data": data})


def raw(built, **changes) -> tuple[bytes, bytes, list]:
    record = to_record(built)
    value = json.loads(record.value)
    value.update(changes)
    return record.key, json.dumps(value).encode(), list(record.headers)


def deeply_nested(built) -> tuple[bytes, bytes, list]:
    record = to_record(built)
    return record.key, b"[" * 2048, list(record.headers)


async def settle(runtime: ServiceRuntime, settings) -> None:
    """Wait until the group committed everything on the inbound topic (nothing left behind)."""
    topic = settings.topic_prefix + INTAKE_INBOUND.name

    async def all_committed() -> bool:
        return await uncommitted(settings.bus, settings.group_id, topic) == 0

    await eventually(all_committed, what="every inbound record committed", timeout=30)


async def outcome(settings) -> tuple[list, list]:
    """(dead letters, replies) on the topics now."""
    dead = await read_to_end(settings.bus, settings.topic_prefix + INTAKE_DLQ.name)
    replies = await read_to_end(settings.bus, settings.topic_prefix + INTAKE_EVENTS.name)
    return dead, [from_record(record.value, record.headers) for record in replies]


async def run_until_settled(definition, settings) -> tuple[ServiceRuntime, list, list]:
    """Run the service until everything waiting is committed; (runtime, dead letters, replies)."""
    runtime = ServiceRuntime(definition, settings)
    await runtime.start()
    try:
        await settle(runtime, settings)
        dead, replies = await outcome(settings)
    finally:
        await runtime.stop()
    return runtime, dead, replies


def dead_letter_ids(dead) -> list[str]:
    ids = []
    for record in dead:
        try:
            ids.append(json.loads(record.value)["id"])
        except (ValueError, RecursionError, KeyError):
            ids.append(f"offset {header(record, deadletters.ORIGINAL_OFFSET)}")
    return ids


async def produce_batch(settings, records) -> None:
    await produce(settings.bus, settings.topic_prefix + INTAKE_INBOUND.name, records)


@pytest.mark.parametrize("poison", ["overflowing time", "deep nesting"])
async def test_a_record_whose_bytes_break_decoding_is_dead_lettered_with_its_batch_mates(
    settings, poison
):
    first, bad, second, known = event("unknown"), event("poison"), event("unknown"), event("ok")
    poisoned = (
        raw(bad, time="9999-12-31T23:59:59-01:00")
        if poison == "overflowing time"
        else deeply_nested(bad)
    )
    await produce_batch(settings, [raw(first), poisoned, raw(second), raw(known)])
    runtime, dead, replies = await run_until_settled(
        probe_definition(reply_unless_unknown), settings
    )

    assert len(dead) == 3, dead_letter_ids(dead)
    assert dead_letter_ids(dead)[0] == first.id and dead_letter_ids(dead)[2] == second.id
    classes = [header(record, deadletters.ERROR_CLASS) for record in dead]
    assert classes == ["RuleViolationError", "UndecodableRecordError", "RuleViolationError"]
    cause = "OverflowError" if poison == "overflowing time" else "RecursionError"
    assert cause in header(dead[1], deadletters.ERROR_MESSAGE)
    assert dead[1].value == poisoned[1]  # the record as it came
    assert [reply.causationid for reply in replies] == [known.id]
    assert metric_total(runtime.metrics.registry, "carepath_events_dead_lettered_total") == 3


async def test_an_inbox_row_another_replica_committed_first_counts_as_already_processed(
    settings, monkeypatch
):
    raced = event("ok")
    runtime = ServiceRuntime(probe_definition(reply_unless_unknown), settings)
    await produce_events(settings.bus, [raced], settings.topic_prefix)
    await runtime.start()
    try:
        await settle(runtime, settings)
        # The same event again (a rebalance hands it to this replica too), and this replica's
        # inbox lookup runs before the other one's commit: it sees nothing, handles the event
        # and its inbox insert hits the other replica's row.
        real_lookup, real_record = inbox.processed_among, inbox.record_processed
        collided = []

        async def lookup_before_the_other_commit(session, event_ids):
            seen = await real_lookup(session, event_ids)
            if not collided:
                seen.pop(raced.id, None)
            return seen

        async def record_after_the_other_commit(session, handled, *, at):
            try:
                await real_record(session, handled, at=at)
            except Exception:  # the unique violation, however the runtime names it
                collided.append(True)
                raise

        monkeypatch.setattr(inbox, "processed_among", lookup_before_the_other_commit)
        monkeypatch.setattr(inbox, "record_processed", record_after_the_other_commit)
        first, second = event("unknown"), event("unknown")
        await produce_batch(settings, [raw(first), raw(raced), raw(second)])
        await settle(runtime, settings)
        dead, replies = await outcome(settings)
    finally:
        await runtime.stop()

    assert collided
    assert dead_letter_ids(dead) == [first.id, second.id]
    assert [reply.causationid for reply in replies] == [raced.id]
    assert metric_total(runtime.metrics.registry, "carepath_events_duplicate_total") == 1


async def test_an_error_in_the_prefetch_hook_rewinds_the_batch_and_retries_it(settings):
    calls = []

    async def prefetch_failing_once(unit, events):
        calls.append(len(events))
        if len(calls) == 1:
            raise RuntimeError("the prefetch query failed for a reason nobody classified")

    definition = dataclasses.replace(
        probe_definition(reply_unless_unknown), prefetch=prefetch_failing_once
    )
    first, known, second = event("unknown"), event("ok"), event("unknown")
    await produce_batch(settings, [raw(first), raw(known), raw(second)])
    runtime, dead, replies = await run_until_settled(definition, settings)

    assert len(calls) >= 2
    assert dead_letter_ids(dead) == [first.id, second.id]
    assert [reply.causationid for reply in replies] == [known.id]
    assert metric_total(runtime.metrics.registry, "carepath_batch_rewinds_total") >= 1


async def test_an_invalid_record_too_large_to_copy_is_still_dead_lettered_truncated(settings):
    # 1,048,400 bytes: the broker takes it, but a copy with the dead-letter headers would not
    # fit under the producer's 1 MiB request limit.
    huge = b'{"padding": "' + b"x" * (1_048_400 - 15) + b'"}'
    assert len(huge) == 1_048_400
    known = event("ok")
    key = PATIENT.encode()
    content_type = [("content-type", b"application/cloudevents+json; charset=utf-8")]
    await produce_batch(settings, [(key, huge, content_type), raw(known)])
    _runtime, dead, replies = await run_until_settled(
        probe_definition(reply_unless_unknown), settings
    )

    [letter] = dead
    assert header(letter, deadletters.ERROR_CLASS) == "NotAnEventError"
    assert header(letter, deadletters.VALUE_TRUNCATED) == "true"
    assert header(letter, deadletters.ORIGINAL_SIZE) == str(len(huge))
    assert header(letter, deadletters.ORIGINAL_SHA256) == hashlib.sha256(huge).hexdigest()
    assert header(letter, deadletters.ORIGINAL_OFFSET) == "0"
    assert huge.startswith(letter.value) and 0 < len(letter.value) < len(huge)
    assert [reply.causationid for reply in replies] == [known.id]


async def test_a_consumer_stuck_on_a_batch_says_so_on_readiness_and_in_a_metric(settings):
    async def database_always_down(unit, event):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    settings = settings.model_copy(update={"consumer_stall_after_s": 0.5})
    await produce_events(settings.bus, [event("ok")], settings.topic_prefix)
    runtime = ServiceRuntime(probe_definition(database_always_down), settings)
    await runtime.start()
    try:

        async def stalled() -> bool:
            return (await runtime.readiness()).checks["consumer_progress"] is False

        await eventually(stalled, what="readiness reports the stalled consumer")
        readiness = await runtime.readiness()
        assert not readiness.ready
        assert "no batch committed" in readiness.reasons["consumer_progress"]
        await runtime.refresh_gauges()
        gauge = metric_total(runtime.metrics.registry, "carepath_consumer_stalled_seconds")
        assert gauge >= 0.5
    finally:
        await runtime.stop()

"""`carepath trace` and `carepath dlq` logic on the real broker."""

import pytest

from carepath_cli.inspection.trace import UnknownPatientError, patient_timeline
from carepath_runtime.dead_letter_reading import (
    DeadLetterNotFoundError,
    find_dead_letter,
    list_dead_letters,
    replay,
)
from carepath_runtime.errors import RuleViolationError
from carepath_runtime.service import ServiceRuntime
from carepath_runtime.topic_reading import BrokerUnreachableError
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events
from carepath_testing.probe.builders import probe_settings, referral
from carepath_testing.probe.service import accept_referral, probe_definition

pytestmark = pytest.mark.kafka


async def rejecting(unit, event):
    raise RuleViolationError(f"patient {event.subject} is not on record yet")


async def test_a_patients_timeline_spans_inbound_and_published_events_in_time_order(
    kafka_bootstrap, topic_prefix, tmp_path
):
    settings = probe_settings(kafka_bootstrap, topic_prefix, f"sqlite+aiosqlite:///{tmp_path}/p.db")
    runtime = ServiceRuntime(probe_definition(), settings)
    event = referral()
    await runtime.start()
    try:
        await produce_events(kafka_bootstrap, [event, referral()], topic_prefix)

        async def two_entries() -> bool:
            return len(await patient_timeline(kafka_bootstrap, topic_prefix, event.subject)) == 2

        await eventually(two_entries, what="referral and its reply on the timeline")
    finally:
        await runtime.stop()
    timeline = await patient_timeline(kafka_bootstrap, topic_prefix, event.subject)
    assert [entry.event_type for entry in timeline] == [
        "intake.referral-received.v1",
        "intake.referral-accepted.v1",
    ]
    assert timeline[0].topic == "carepath.intake.inbound"
    assert "firefighter" in timeline[0].summary


async def test_an_unknown_patient_and_an_unreachable_broker_get_clear_errors(
    kafka_bootstrap, topic_prefix
):
    with pytest.raises(UnknownPatientError, match="no events for patient 'p-nobody'"):
        await patient_timeline(kafka_bootstrap, topic_prefix, "p-nobody")
    with pytest.raises(BrokerUnreachableError, match="carepath up"):
        await patient_timeline("127.0.0.1:1", topic_prefix, "p-nobody")


async def test_a_dead_letter_replayed_after_the_fix_is_processed(
    kafka_bootstrap, topic_prefix, tmp_path
):
    settings = probe_settings(kafka_bootstrap, topic_prefix, f"sqlite+aiosqlite:///{tmp_path}/p.db")
    event = referral()
    broken = ServiceRuntime(probe_definition(rejecting), settings)
    await broken.start()
    try:
        await produce_events(kafka_bootstrap, [event], topic_prefix)

        async def dead_lettered() -> bool:
            return len(await list_dead_letters(kafka_bootstrap, topic_prefix, "intake")) == 1

        await eventually(dead_lettered, what="rejected event dead-lettered")
    finally:
        await broken.stop()
    (letter,) = await list_dead_letters(kafka_bootstrap, topic_prefix, "intake")
    assert letter.error_class == "RuleViolationError"
    assert "not on record yet" in letter.error_message
    assert letter.key == event.subject

    fixed = ServiceRuntime(probe_definition(accept_referral), settings)
    await fixed.start()
    try:
        found = await find_dead_letter(kafka_bootstrap, topic_prefix, "intake", letter.position)
        assert await replay(kafka_bootstrap, found) == topic_prefix + "carepath.intake.inbound"

        async def replied() -> bool:
            timeline = await patient_timeline(kafka_bootstrap, topic_prefix, event.subject)
            return any(entry.event_type == "intake.referral-accepted.v1" for entry in timeline)

        await eventually(replied, what="replayed event handled")
    finally:
        await fixed.stop()
    with pytest.raises(DeadLetterNotFoundError, match="dlq list intake"):
        await find_dead_letter(kafka_bootstrap, topic_prefix, "intake", "9:999")

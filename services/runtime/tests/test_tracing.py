"""Traces through a service on the real broker: the consumed event, its handler, the timer it
set and the outbox publish are one trace, linked by each emitted event's `traceparent`."""

from datetime import timedelta

import pytest
from opentelemetry.trace import SpanKind

from carepath_contracts import INTAKE_EVENTS, ReferralAccepted, caused_by, from_record
from carepath_runtime import schema_migrations
from carepath_runtime.clock import ManualClock
from carepath_runtime.service import ServiceRuntime
from carepath_testing.kafka_io import header, produce_events, read_until
from carepath_testing.probe.builders import NOW, referral
from carepath_testing.probe.service import REMINDER_AFTER, probe_definition
from carepath_testing.tracing import (
    hex_parent_id,
    hex_span_id,
    named,
    recorded_tracing,
    span_id_of,
    trace_id_of,
)

pytestmark = pytest.mark.kafka

CLINIC_SPAN = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
"""The trace context an outside system sent its event with."""


def replies_to(records, cause_id: str) -> list:
    return [
        (record, event)
        for record in records
        if (event := from_record(record.value, record.headers)).causationid == cause_id
    ]


async def test_a_consumed_event_its_handler_its_timer_and_its_reply_are_one_trace(
    settings, kafka_bootstrap
):
    tracing, exporter = recorded_tracing()
    clock = ManualClock(NOW)
    runtime = ServiceRuntime(probe_definition(), settings, clock=clock, tracing=tracing)
    event = referral().model_copy(update={"traceparent": CLINIC_SPAN})
    await runtime.start()
    try:
        await produce_events(kafka_bootstrap, [event], settings.topic_prefix)
        records = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, event.id)) == 1,
        )
        clock.advance(REMINDER_AFTER + timedelta(minutes=1))
        assert await runtime.scheduler.fire_due() == 1
    finally:
        await runtime.stop()

    spans = exporter.get_finished_spans()
    assert {span.context.trace_id for span in spans} >= {int(trace_id_of(CLINIC_SPAN), 16)}
    consumed = named(spans, f"process {event.type}")
    handled = named(spans, f"handle {event.type}")
    fired = named(spans, "fire reminder")
    assert consumed.kind == SpanKind.CONSUMER
    assert hex_parent_id(consumed) == span_id_of(CLINIC_SPAN)  # the producer's header
    assert hex_parent_id(handled) == hex_span_id(consumed)
    assert consumed.attributes["cloudevents.event_id"] == event.id
    assert hex_parent_id(fired) == hex_span_id(handled)  # set by the handler, a day earlier
    assert fired.context.trace_id == consumed.context.trace_id

    ((record, reply),) = replies_to(records, event.id)
    assert reply.traceparent is not None
    assert span_id_of(reply.traceparent) == hex_span_id(handled)  # the span that caused it
    # The header is the producer span of the publish (FastStream's), a child of that cause.
    published = [span for span in spans if span.kind == SpanKind.PRODUCER]
    assert published, [span.name for span in spans]
    producer_ids = {hex_span_id(span) for span in published}
    assert span_id_of(header(record, "traceparent")) in producer_ids
    assert trace_id_of(header(record, "traceparent")) == trace_id_of(CLINIC_SPAN)
    assert any(hex_parent_id(span) == hex_span_id(handled) for span in published)


async def test_the_outbox_keeps_the_causing_span_for_a_publish_after_it_ended(
    settings, kafka_bootstrap
):
    tracing, exporter = recorded_tracing()
    runtime = ServiceRuntime(probe_definition(), settings, tracing=tracing)
    cause = referral()
    tracer = tracing.provider.get_tracer("test")
    await schema_migrations.upgrade(runtime.engine, runtime.definition.migrations)
    with tracer.start_as_current_span("clinician presses save") as request:
        async with runtime.unit_of_work() as unit:
            accepted = ReferralAccepted(
                responder_role=cause.data.responder_role,
                referral_source=cause.data.referral_source,
                accepted_at=NOW,
            )
            await unit.emit(caused_by(cause, accepted, source=unit.source, time=NOW))
    assert not request.is_recording()  # ended: only the outbox row still knows it

    await runtime.start()  # the relay publishes what was left unsent
    try:
        records = await read_until(
            kafka_bootstrap,
            settings.topic_prefix + INTAKE_EVENTS.name,
            lambda got: len(replies_to(got, cause.id)) == 1,
        )
    finally:
        await runtime.stop()
    ((record, reply),) = replies_to(records, cause.id)
    assert span_id_of(reply.traceparent) == f"{request.get_span_context().span_id:016x}"
    spans = exporter.get_finished_spans()
    producer_id = span_id_of(header(record, "traceparent"))
    (producer,) = [span for span in spans if hex_span_id(span) == producer_id]
    assert hex_parent_id(producer) == span_id_of(reply.traceparent)

"""One patient's pathway is one trace across the three service processes.

The services run as separate processes and export over OTLP/HTTP to a collector in the test
process (`carepath_testing.otlp_collector`), as they would to a real backend; an in-memory
exporter could only see a service running inside the test. The simulated outside world
continues the trace of each event it answers (its referral portal starts the trace).
"""

from collections import Counter

import pytest

from carepath_testing.tracing import span_id_of, trace_id_of

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

SERVICES = {"carepath-intake", "carepath-infusion", "carepath-followup"}


def kind_of(name: str) -> str:
    """Ours start with what happened (`handle <type>`); FastStream's end with it
    (`<topic> publish`); the HTTP instrumentation's start with the method."""
    first, *_, last = name.split(" ")
    return last if last in ("create", "publish") else first


def of_the_trace(traced_pathway):
    patient, events, spans = traced_pathway
    trace_id = trace_id_of(patient.traceparent)
    return patient, events, [span for span in spans if span.trace_id == trace_id]


def test_every_event_of_the_referral_names_a_span_of_one_trace(traced_pathway):
    patient, events, spans = of_the_trace(traced_pathway)
    assert len({event.source for event in events}) == 3, Counter(e.source for e in events)
    span_ids = {span.span_id for span in spans}
    for event in events:
        assert event.traceparent, f"{event.type} has no traceparent"
        assert trace_id_of(event.traceparent) == trace_id_of(patient.traceparent), event.type
        assert span_id_of(event.traceparent) in span_ids, f"{event.type}: its cause is missing"


def test_the_trace_spans_the_three_service_processes_and_hangs_together(traced_pathway):
    patient, events, spans = of_the_trace(traced_pathway)
    by_service = Counter(span.service for span in spans)
    assert set(by_service) == SERVICES, by_service
    span_ids = {span.span_id for span in spans}
    # Every span's parent is in the trace, but for the portal's own span (not exported).
    outside = {span.parent_span_id for span in spans} - span_ids
    assert outside == {span_id_of(patient.traceparent)}, outside
    kinds = Counter(kind_of(span.name) for span in spans)
    assert {"POST", "process", "handle", "fire", "create", "publish"} <= set(kinds), kinds
    assert kinds["publish"] == len(events)  # one producer span per emitted event's record
    print(
        f"\none trace {trace_id_of(patient.traceparent)}: {len(spans)} spans for "
        f"{len(events)} events; by service {dict(by_service)}; by kind {dict(kinds)}"
    )

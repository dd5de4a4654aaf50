"""Traces in tests: a service's tracing recorded in memory, and W3C traceparent parts."""

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from carepath_runtime.tracing import Tracing


def recorded_tracing() -> tuple[Tracing, InMemorySpanExporter]:
    """A service's tracing whose every span is kept in memory as it ends."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Tracing(provider), exporter


def trace_id_of(traceparent: str) -> str:
    return traceparent.split("-")[1]


def span_id_of(traceparent: str) -> str:
    return traceparent.split("-")[2]


def hex_span_id(span: ReadableSpan) -> str:
    return f"{span.context.span_id:016x}"


def hex_parent_id(span: ReadableSpan) -> str | None:
    return f"{span.parent.span_id:016x}" if span.parent else None


def named(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    """The one span called `name` (fails naming the spans there are)."""
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, f"{len(found)} spans named {name!r} in {[s.name for s in spans]}"
    return found[0]

"""OpenTelemetry traces: on when an OTLP endpoint is configured, a no-op otherwise.

The span that causes an event is named by the event's own `traceparent` (the CloudEvents
Distributed Tracing extension), written when the event is emitted and stored with it in the
outbox: a later publish, or one after a restart, keeps the link and the same bytes. Timers
keep the traceparent of whatever set them. The record header `traceparent` is the producer
span of the publish (FastStream's telemetry middleware writes it); a consumer continues
from it, or from the event's own when a producer sent no header.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from carepath_runtime.records import header_value

TRACEPARENT = "traceparent"
OTLP_PROTOCOL = "http/protobuf"
INSTRUMENTATION = "carepath_runtime"

_PROPAGATOR = TraceContextTextMapPropagator()
_NO_SPAN: AbstractContextManager[Any] = nullcontext()  # reusable: tracing off allocates nothing


class TracingSettingsError(ValueError):
    """The OTEL_* settings ask for something this runtime does not do."""


def otlp_endpoint_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Traces are exported when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, unless the SDK
    is disabled or the traces exporter is `none` (the standard variables)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return bool(traces_endpoint(environ))


def traces_endpoint(environ: Mapping[str, str] = os.environ) -> str:
    """The OTLP/HTTP traces URL the settings name ("" for none), as the SDK derives it."""
    if endpoint := environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip():
        return endpoint
    if endpoint := environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        return endpoint.rstrip("/") + "/v1/traces"
    return ""


def otlp_tracer_provider(service: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """An SDK provider exporting over OTLP/HTTP in batches; the exporter, sampler and batch
    processor read their own OTEL_* variables. `service.name` is `carepath-<service>`."""
    for name in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        protocol = environ.get(name, OTLP_PROTOCOL).strip()
        if protocol != OTLP_PROTOCOL:
            raise TracingSettingsError(
                f"{name}={protocol!r}: Carepath exports traces over {OTLP_PROTOCOL} only "
                "(an OTLP/HTTP endpoint, usually port 4318)"
            )
    # Imported here: a service without an endpoint never loads the SDK or the exporter.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = SdkTracerProvider(resource=Resource.create({SERVICE_NAME: f"carepath-{service}"}))
    # The endpoint from `environ`; headers, certificates and timeouts from the process's own.
    exporter = OTLPSpanExporter(endpoint=traces_endpoint(environ))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def current_traceparent() -> str | None:
    """The W3C traceparent of the span in hand (None when there is none: tracing off)."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return (
        f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-"
        f"{span_context.trace_flags:02x}"
    )


def context_of(traceparent: str | None) -> Context:
    """The context continuing `traceparent`; an empty one (a new trace) without it."""
    if not traceparent:
        return Context()
    return _PROPAGATOR.extract({TRACEPARENT: traceparent})


class Tracing:
    """A service's spans. Without a provider every method is a no-op that creates nothing."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider
        self.enabled = provider is not None
        self._tracer = provider.get_tracer(INSTRUMENTATION) if provider else None

    @classmethod
    def from_environment(cls, service: str, environ: Mapping[str, str] = os.environ) -> "Tracing":
        if not otlp_endpoint_configured(environ):
            return cls()
        return cls(otlp_tracer_provider(service, environ))

    def consuming(
        self, event: Any, record: Any, handler: Any
    ) -> AbstractContextManager[Span | None]:
        """A consumed event's span (continuing its producer's) around its handler's span."""
        if self._tracer is None:
            return _NO_SPAN
        return self._consuming(event, record, handler)

    @contextmanager
    def _consuming(self, event: Any, record: Any, handler: Any) -> Iterator[Span]:
        assert self._tracer is not None
        parent = context_of(header_value(record.headers, TRACEPARENT))
        if not trace.get_current_span(parent).get_span_context().is_valid:
            # No header, or one that is not W3C trace context: the event's own, if any.
            parent = context_of(event.traceparent)
        arrived = trace.get_current_span().get_span_context()  # the batch (FastStream's span)
        with (
            self._tracer.start_as_current_span(
                f"process {event.type}",
                context=parent,
                kind=SpanKind.CONSUMER,
                links=[Link(arrived)] if arrived.is_valid else None,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": record.topic,
                    "messaging.destination.partition.id": str(record.partition),
                    "messaging.kafka.offset": record.offset,
                    "messaging.message.id": event.id,
                    **_cloudevent_attributes(event),
                },
            ),
            self._tracer.start_as_current_span(
                f"handle {event.type}",
                attributes={"code.function.name": _name_of(handler)},
            ) as span,
        ):
            yield span

    def firing(self, timer: Any) -> AbstractContextManager[Span | None]:
        """A timer's span, continuing the span that set the timer (possibly weeks ago)."""
        if self._tracer is None:
            return _NO_SPAN
        return self._tracer.start_as_current_span(
            f"fire {timer.kind}",
            context=context_of(timer.traceparent),
            attributes={
                "carepath.timer.kind": timer.kind,
                "carepath.timer.key": timer.timer_key,
                "carepath.timer.due_at": timer.due_at.isoformat(),
                "carepath.patient_id": timer.patient_id,
                "carepath.pathway_id": timer.correlation_id,
            },
        )

    def publishing(self, headers: Mapping[str, str]) -> AbstractContextManager[Any]:
        """While a stored record is published: the span that caused its event is current, so
        the producer span (FastStream's) is its child even when the cause ended long ago."""
        if self._tracer is None or TRACEPARENT not in headers:
            return _NO_SPAN
        return _attached(context_of(headers[TRACEPARENT]))

    def shutdown(self) -> None:
        """Export what is still buffered (blocking: call it in a thread at shutdown)."""
        shutdown = getattr(self.provider, "shutdown", None)
        if shutdown is not None:
            shutdown()


@contextmanager
def _attached(context: Context) -> Iterator[None]:
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


def _cloudevent_attributes(event: Any) -> dict[str, str]:
    # The OpenTelemetry semantic conventions' CloudEvents attributes; the subject is the
    # pseudonymous patient id (as the record key is), never a personal detail.
    return {
        "cloudevents.event_id": event.id,
        "cloudevents.event_type": event.type,
        "cloudevents.event_source": event.source,
        "cloudevents.event_subject": event.subject,
        "cloudevents.event_spec_version": event.specversion,
        "carepath.pathway_id": event.correlationid,
    }


def _name_of(handler: Any) -> str:
    function = getattr(handler, "func", handler)  # handlers are partials given the rules
    return f"{function.__module__}.{function.__qualname__}"

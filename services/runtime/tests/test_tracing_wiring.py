"""Tracing's wiring without a broker: off unless an OTLP endpoint is configured (then nothing
is created at all), and an HTTP request's span is the cause of what the request emits."""

import json
from types import SimpleNamespace

import httpx
import pytest
from fastapi import APIRouter
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from sqlalchemy import select

from carepath_contracts import ReferralAccepted, caused_by
from carepath_runtime import schema_migrations, timers
from carepath_runtime.access import allow
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceRuntime
from carepath_runtime.tables import outbox
from carepath_runtime.tracing import Tracing, TracingSettingsError, otlp_endpoint_configured
from carepath_testing.otlp_collector import OtlpCollector
from carepath_testing.probe.builders import NOW, probe_settings, referral
from carepath_testing.probe.service import accept_referral, probe_definition
from carepath_testing.tracing import hex_parent_id, hex_span_id, recorded_tracing, span_id_of

TOKEN = "integration-tracing-test-token"
ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}


@pytest.mark.parametrize(
    ("environment", "on"),
    [
        ({}, False),
        (ENDPOINT, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({**ENDPOINT, "OTEL_SDK_DISABLED": "true"}, False),
        ({**ENDPOINT, "OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": " "}, False),
    ],
)
def test_traces_are_exported_only_when_an_otlp_endpoint_is_configured(environment, on):
    assert otlp_endpoint_configured(environment) is on
    assert Tracing.from_environment("probe", environment).enabled is on


def test_a_grpc_exporter_setting_is_refused_naming_the_variable():
    with pytest.raises(TracingSettingsError, match="OTEL_EXPORTER_OTLP_PROTOCOL='grpc'"):
        Tracing.from_environment("probe", {**ENDPOINT, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})


def test_the_provider_names_the_service():
    tracing = Tracing.from_environment("infusion", ENDPOINT)
    try:
        assert tracing.provider.resource.attributes["service.name"] == "carepath-infusion"
    finally:
        tracing.shutdown()


def runtime_of(tmp_path, tracing: Tracing | None) -> ServiceRuntime:
    settings = probe_settings(
        "127.0.0.1:1",
        "",
        f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}",
        tokens=[{"subject": "portal", "role": "integration", "token": TOKEN}],
    )
    return ServiceRuntime(probe_definition(), settings, tracing=tracing)


def app_emitting_on_post(runtime: ServiceRuntime):
    router = APIRouter()

    @router.post("/v1/accept")
    async def accept() -> dict[str, str]:
        cause = referral()
        data = ReferralAccepted(
            responder_role=cause.data.responder_role,
            referral_source=cause.data.referral_source,
            accepted_at=NOW,
        )
        async with runtime.unit_of_work() as unit:
            await unit.emit(caused_by(cause, data, source=unit.source, time=NOW))
        return {"accepted": cause.subject}

    return create_http_app(
        runtime, [router], access={"POST /v1/accept": allow("integration", body_limit=1024)}
    )


async def emitted_rows(runtime: ServiceRuntime) -> list:
    async with runtime.read_sessions() as session:
        return (await session.execute(select(outbox))).mappings().all()


async def post_accept(app, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://service"
    ) as client:
        return await client.post(
            "/v1/accept", headers={"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        )


async def test_with_tracing_off_nothing_is_instrumented_and_no_event_names_a_span(tmp_path):
    runtime = runtime_of(tmp_path, None)  # from this environment: no OTLP endpoint
    assert not runtime.tracing.enabled
    assert not any(
        isinstance(middleware, KafkaTelemetryMiddleware)
        for middleware in runtime.broker.middlewares
    )
    app = app_emitting_on_post(runtime)
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
    await schema_migrations.upgrade(runtime.engine, runtime.definition.migrations)

    assert (await post_accept(app)).status_code == 200
    (row,) = await emitted_rows(runtime)
    assert "traceparent" not in json.loads(row["value"])
    assert "traceparent" not in row["headers"]
    await runtime.engine.dispose()


async def test_an_http_request_span_is_the_cause_of_what_it_emits(tmp_path):
    tracing, exporter = recorded_tracing()
    runtime = runtime_of(tmp_path, tracing)
    app = app_emitting_on_post(runtime)
    await schema_migrations.upgrade(runtime.engine, runtime.definition.migrations)
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    assert (await post_accept(app, {"traceparent": caller})).status_code == 200
    (row,) = await emitted_rows(runtime)
    (server,) = [span for span in exporter.get_finished_spans() if span.name.startswith("POST")]
    assert hex_parent_id(server) == span_id_of(caller)  # the caller's context is continued
    stored = json.loads(row["value"])["traceparent"]
    assert span_id_of(stored) == hex_span_id(server)
    assert row["headers"]["traceparent"] == stored  # kept for the publish, however late
    await runtime.engine.dispose()


async def test_a_request_the_gate_refuses_has_its_span_too(tmp_path):
    tracing, exporter = recorded_tracing()
    app = app_emitting_on_post(runtime_of(tmp_path, tracing))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://service"
    ) as client:
        assert (await client.post("/v1/accept")).status_code == 401
        assert (await client.get("/healthz")).status_code == 200
    spans = exporter.get_finished_spans()
    # One span (none for the health probe), with the refusal's status (old or new convention).
    assert [
        span.attributes.get("http.status_code", span.attributes.get("http.response.status_code"))
        for span in spans
    ] == [401]


async def test_a_timer_continues_the_span_that_set_or_last_moved_it(tmp_path):
    tracing, _ = recorded_tracing()
    runtime = runtime_of(tmp_path, tracing)
    await schema_migrations.upgrade(runtime.engine, runtime.definition.migrations)
    tracer = tracing.provider.get_tracer("test")
    with tracer.start_as_current_span("clearance") as setting:
        async with runtime.unit_of_work() as unit:
            await unit.schedule(
                key="silence:s1",
                kind="monitor_silence",
                patient_id="p-1",
                correlation_id="pw-1",
                due_at=NOW,
            )
    (stored,) = [row.traceparent for row in await pending(runtime)]
    assert span_id_of(stored) == f"{setting.get_span_context().span_id:016x}"

    with tracer.start_as_current_span("a vitals reading") as moving:
        async with runtime.unit_of_work() as unit:
            unit.rearm_timer_later("silence:s1", NOW)
    (moved,) = [row.traceparent for row in await pending(runtime)]
    assert span_id_of(moved) == f"{moving.get_span_context().span_id:016x}"
    await runtime.engine.dispose()


async def pending(runtime: ServiceRuntime) -> list:
    async with runtime.read_sessions() as session:
        return await timers.pending_timers(session, "p-1")


@pytest.mark.parametrize(
    "header", [None, b"not-a-traceparent", b"00-" + b"0" * 32 + b"-" + b"0" * 16 + b"-01"]
)
def test_a_consumed_event_without_a_usable_header_continues_its_own_traceparent(header):
    tracing, exporter = recorded_tracing()
    event = referral().model_copy(
        update={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    )
    headers = [("traceparent", header)] if header else []
    record = SimpleNamespace(
        topic="carepath.intake.inbound", partition=0, offset=7, headers=headers
    )

    with tracing.consuming(event, record, accept_referral):
        pass

    consumed = next(s for s in exporter.get_finished_spans() if s.name.startswith("process"))
    assert hex_parent_id(consumed) == span_id_of(event.traceparent)


@pytest.mark.parametrize(
    "settings_for",
    [
        lambda url: {"OTEL_EXPORTER_OTLP_ENDPOINT": url + "/"},
        lambda url: {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",  # nothing listens there
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": url + "/v1/traces",
        },
    ],
)
def test_spans_go_to_the_endpoint_the_settings_name(settings_for):
    with OtlpCollector() as collector:
        tracing = Tracing.from_environment("intake", settings_for(collector.endpoint))
        with tracing.provider.get_tracer("test").start_as_current_span("one"):
            pass
        tracing.shutdown()  # exports what is buffered
        assert [(span.service, span.name) for span in collector.received()] == [
            ("carepath-intake", "one")
        ]

"""Wiring: intake's service definition and its ASGI app (HTTP and broker in one)."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import (
    ALL_TOPICS,
    INTAKE_DLQ,
    INTAKE_INBOUND,
    TreatmentProtocol,
    load_protocol,
)
from carepath_intake import api, handlers
from carepath_intake.domain import unsupported_protocol_settings
from carepath_intake.settings import IntakeSettings
from carepath_runtime.clock import Clock
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


class UnsupportedProtocolError(ValueError):
    """The configured protocol asks for something intake cannot screen by."""


def definition(settings: IntakeSettings, protocol: TreatmentProtocol) -> ServiceDefinition:
    return ServiceDefinition(
        name=settings.service_name,
        consumes=[INTAKE_INBOUND.name],
        dead_letter_topic=INTAKE_DLQ.name,
        handlers=handlers.handlers(protocol, settings),
        timer_handlers=handlers.timer_handlers(protocol, settings),
        migrations=MIGRATIONS,
        topics_to_create={topic.name: topic.partitions for topic in ALL_TOPICS},
    )


def create_app(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    protocol = load_protocol(settings.protocol_id, settings.protocol_version)
    problems = unsupported_protocol_settings(protocol)
    if problems:
        raise UnsupportedProtocolError(
            f"protocol {protocol.id} v{protocol.version}: " + "; ".join(problems)
        )
    runtime = ServiceRuntime(definition(settings, protocol), settings, clock=clock)
    return create_http_app(runtime, [api.router(runtime, protocol, settings)])

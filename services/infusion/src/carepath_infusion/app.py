"""Wiring: the infusion service's definition and its ASGI app. Nothing connects at import."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import (
    ALL_TOPICS,
    FOLLOWUP_EVENTS,
    INFUSION_DLQ,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    TreatmentProtocol,
    load_protocol,
)
from carepath_infusion import api, handlers
from carepath_infusion.settings import InfusionSettings
from carepath_runtime.clock import Clock
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: InfusionSettings, protocol: TreatmentProtocol) -> ServiceDefinition:
    return ServiceDefinition(
        name=settings.service_name,
        consumes=[INTAKE_EVENTS.name, INFUSION_INBOUND.name, FOLLOWUP_EVENTS.name],
        dead_letter_topic=INFUSION_DLQ.name,
        handlers=handlers.handlers(protocol, settings),
        timer_handlers=handlers.timer_handlers(protocol, settings),
        migrations=MIGRATIONS,
        topics_to_create={topic.name: topic.partitions for topic in ALL_TOPICS},
        prefetch=handlers.prefetch,
    )


def create_app(settings: InfusionSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or InfusionSettings()
    protocol = load_protocol(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocol), settings, clock=clock)
    return create_http_app(runtime, [api.router(runtime)])

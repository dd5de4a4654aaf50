"""Wiring: what follow-up consumes, its handlers, timers, tables and HTTP routes."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import (
    ALL_TOPICS,
    FOLLOWUP_DLQ,
    FOLLOWUP_INBOUND,
    INFUSION_EVENTS,
    INTAKE_EVENTS,
    TreatmentProtocol,
    load_protocol,
)
from carepath_followup import api
from carepath_followup.handlers import handlers, timer_handlers
from carepath_followup.settings import FollowupSettings
from carepath_runtime.clock import Clock
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: FollowupSettings, protocol: TreatmentProtocol) -> ServiceDefinition:
    return ServiceDefinition(
        name=settings.service_name,
        consumes=[INTAKE_EVENTS.name, INFUSION_EVENTS.name, FOLLOWUP_INBOUND.name],
        dead_letter_topic=FOLLOWUP_DLQ.name,
        handlers=handlers(protocol, settings),
        timer_handlers=timer_handlers(protocol, settings),
        migrations=MIGRATIONS,
        topics_to_create={topic.name: topic.partitions for topic in ALL_TOPICS},
    )


def create_app(settings: FollowupSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The follow-up service as an ASGI app; it connects only when its lifespan starts."""
    settings = settings or FollowupSettings()
    protocol = load_protocol(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocol), settings, clock=clock)
    return create_http_app(runtime, [api.router(runtime, settings.patient_view_roles)])

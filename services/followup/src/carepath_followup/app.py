"""Wiring: follow-up's service definition and its ASGI app (HTTP and broker in one)."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import (
    FOLLOWUP_DLQ,
    FOLLOWUP_INBOUND,
    INFUSION_EVENTS,
    INTAKE_EVENTS,
    ProtocolCatalogue,
    load_catalogue,
)
from carepath_followup import api
from carepath_followup.handlers import HANDLERS, rules_for
from carepath_followup.settings import FollowupSettings
from carepath_runtime.clock import Clock
from carepath_runtime.handling import define_service
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: FollowupSettings, protocols: ProtocolCatalogue) -> ServiceDefinition:
    return define_service(
        name=settings.service_name,
        consumes=[INTAKE_EVENTS.name, INFUSION_EVENTS.name, FOLLOWUP_INBOUND.name],
        dead_letter_topic=FOLLOWUP_DLQ.name,
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        rules=rules_for(protocols, settings),
    )


def create_app(settings: FollowupSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or FollowupSettings()
    protocols = load_catalogue(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocols), settings, clock=clock)
    return create_http_app(runtime, api.routers(runtime, protocols, settings), access=api.ACCESS)

"""Wiring: infusion's service definition and its ASGI app (HTTP and broker in one)."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import (
    FOLLOWUP_EVENTS,
    INFUSION_DLQ,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    ProtocolCatalogue,
    load_catalogue,
)
from carepath_infusion import api
from carepath_infusion.handlers import HANDLERS, prefetch, rules_for
from carepath_infusion.settings import InfusionSettings
from carepath_runtime.clock import Clock
from carepath_runtime.handling import define_service
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: InfusionSettings, protocols: ProtocolCatalogue) -> ServiceDefinition:
    return define_service(
        name=settings.service_name,
        consumes=[INTAKE_EVENTS.name, INFUSION_INBOUND.name, FOLLOWUP_EVENTS.name],
        dead_letter_topic=INFUSION_DLQ.name,
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        rules=rules_for(protocols, settings),
        prefetch=prefetch,
    )


def create_app(settings: InfusionSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or InfusionSettings()
    protocols = load_catalogue(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocols), settings, clock=clock)
    return create_http_app(runtime, api.routers(runtime, protocols, settings), access=api.ACCESS)

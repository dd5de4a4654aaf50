"""Wiring: intake's service definition and its ASGI app (HTTP and broker in one)."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import INTAKE_DLQ, INTAKE_INBOUND, ProtocolCatalogue, load_catalogue
from carepath_intake import api
from carepath_intake.handlers import HANDLERS, rules_for
from carepath_intake.settings import IntakeSettings
from carepath_runtime.clock import Clock
from carepath_runtime.handling import define_service
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: IntakeSettings, protocols: ProtocolCatalogue) -> ServiceDefinition:
    """Intake screens new pathways under `protocols.current`: the screening's version is the
    version the patient's whole pathway is decided under, by every service."""
    return define_service(
        name=settings.service_name,
        consumes=[INTAKE_INBOUND.name],
        dead_letter_topic=INTAKE_DLQ.name,
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        rules=rules_for(protocols.current, settings),
    )


def create_app(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    protocols = load_catalogue(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocols), settings, clock=clock)
    routers = api.routers(runtime, protocols.current, settings)
    return create_http_app(runtime, routers, access=api.ACCESS)

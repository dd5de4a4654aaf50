"""Wiring: intake's service definition and its ASGI app (HTTP and broker in one)."""

from pathlib import Path

from fastapi import FastAPI

from carepath_contracts import INTAKE_DLQ, INTAKE_INBOUND, TreatmentProtocol, load_protocol
from carepath_intake import api
from carepath_intake.handlers import HANDLERS, rules_for
from carepath_intake.settings import IntakeSettings
from carepath_runtime.clock import Clock
from carepath_runtime.handling import define_service
from carepath_runtime.http import create_http_app
from carepath_runtime.service import ServiceDefinition, ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: IntakeSettings, protocol: TreatmentProtocol) -> ServiceDefinition:
    return define_service(
        name=settings.service_name,
        consumes=[INTAKE_INBOUND.name],
        dead_letter_topic=INTAKE_DLQ.name,
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        rules=rules_for(protocol, settings),
    )


def create_app(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    protocol = load_protocol(settings.protocol_id, settings.protocol_version)
    runtime = ServiceRuntime(definition(settings, protocol), settings, clock=clock)
    return create_http_app(runtime, api.routers(runtime, protocol, settings), access=api.ACCESS)

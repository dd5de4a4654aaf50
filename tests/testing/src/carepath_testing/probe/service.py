"""The probe service: on `referral-received` it stores a row and emits `referral-accepted`."""

import asyncio
from datetime import timedelta
from pathlib import Path

from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, MetaData, String, Table, insert

from carepath_contracts import (
    ALL_TOPICS,
    INTAKE_DLQ,
    INTAKE_INBOUND,
    ReferralAccepted,
    ReferralReceived,
    caused_by,
)
from carepath_runtime.consumer import Handler
from carepath_runtime.service import ServiceDefinition
from carepath_runtime.settings import ServiceSettings
from carepath_runtime.unit_of_work import UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
REMINDER_AFTER = timedelta(days=1)

handled = Table(
    "probe_handled",
    MetaData(),
    Column("event_id", String(64), primary_key=True),
    Column("patient_id", String(64), nullable=False),
)


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CAREPATH_PROBE_", extra="ignore")

    service_name: str = "probe"
    handler_delay_s: float = 0.0
    hold_outbox_marker: str = ""
    handling_marker: str = ""


async def accept_referral(unit: UnitOfWork, event) -> None:
    await unit.session.execute(insert(handled).values(event_id=event.id, patient_id=event.subject))
    reply = ReferralAccepted(
        responder_role=event.data.responder_role,
        referral_source=event.data.referral_source,
        accepted_at=unit.now(),
    )
    await unit.emit(caused_by(event, reply, source="carepath/probe", time=unit.now()))
    await unit.schedule(
        key=f"reminder:{event.subject}",
        kind="reminder",
        patient_id=event.subject,
        correlation_id=event.correlationid,
        due_at=unit.now() + REMINDER_AFTER,
    )


async def remind(unit: UnitOfWork, timer) -> None:
    await unit.session.execute(
        insert(handled).values(event_id=timer.timer_key, patient_id=timer.patient_id)
    )


def slow(handler: Handler, delay_s: float, marker: str) -> Handler:
    """Stands in for a handler busy with a long transaction (shutdown tests)."""

    async def handle(unit: UnitOfWork, event) -> None:
        if marker:
            Path(marker).write_text(event.id)  # noqa: ASYNC240 - a tiny test marker
        await asyncio.sleep(delay_s)
        await handler(unit, event)

    return handle


def probe_definition(handler: Handler = accept_referral) -> ServiceDefinition:
    return ServiceDefinition(
        name="probe",
        consumes=[INTAKE_INBOUND.name],
        dead_letter_topic=INTAKE_DLQ.name,
        handlers={ReferralReceived.event_type: handler},
        timer_handlers={"reminder": remind},
        migrations=MIGRATIONS,
        topics_to_create={topic.name: topic.partitions for topic in ALL_TOPICS},
    )


class HoldingPublisher:
    """Marks that the relay is about to publish, then never does (SIGKILL comes first)."""

    def __init__(self, inner, marker: str) -> None:
        self._inner = inner
        self._marker = marker

    async def publish(self, records) -> None:
        if any(record.topic.endswith(".events") for record in records):
            Path(self._marker).write_text(str(len(records)))  # noqa: ASYNC240 - test marker
            await asyncio.Event().wait()
        await self._inner.publish(records)


def main() -> None:
    from carepath_runtime.http import create_http_app
    from carepath_runtime.publisher import KafkaRecordPublisher
    from carepath_runtime.serve import serve
    from carepath_runtime.service import ServiceRuntime

    settings = ProbeSettings()
    handler = accept_referral
    if settings.handler_delay_s:
        handler = slow(handler, settings.handler_delay_s, settings.handling_marker)
    publisher = KafkaRecordPublisher
    if settings.hold_outbox_marker:

        def publisher(broker):
            return HoldingPublisher(KafkaRecordPublisher(broker), settings.hold_outbox_marker)

    runtime = ServiceRuntime(probe_definition(handler), settings, publisher=publisher)
    serve(create_http_app(runtime, access={}), settings)


if __name__ == "__main__":
    main()

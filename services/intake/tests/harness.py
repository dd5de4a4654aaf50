"""What intake's broker tests share: settings, forms as JSON, and reading intake's topics."""

import secrets
import uuid
from datetime import date
from typing import Any

from aiokafka import ConsumerRecord

from carepath_contracts import (
    INTAKE_EVENTS,
    Event,
    EventData,
    ReferralReceived,
    from_record,
    new_event,
)
from carepath_intake import IntakeSettings, create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.kafka_io import read_until
from carepath_testing.settings import settings_for

from .builders import NOW, eligible_form

CLINICIAN = "clin-7"
"""The subject of the clinician token: who reviews."""
CLINICIAN_TOKEN = "clinician-test-token"
INTEGRATION_TOKEN = "integration-test-token"
AS_INTEGRATION = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}
PORTAL = "referral-portal/web"


def intake_settings(kafka_bootstrap: str, topic_prefix: str, database_url: str) -> IntakeSettings:
    tokens = [
        {"subject": CLINICIAN, "role": "clinician", "token": CLINICIAN_TOKEN},
        {"subject": "referral-portal", "role": "integration", "token": INTEGRATION_TOKEN},
    ]
    return settings_for(
        IntakeSettings, "intake", kafka_bootstrap, topic_prefix, database_url, tokens
    )


def intake_app(kafka_bootstrap: str, topic_prefix: str, database_url: str):
    settings = intake_settings(kafka_bootstrap, topic_prefix, database_url)
    return create_app(settings, clock=ManualClock(NOW))


def referral_form(**changes: Any) -> dict[str, Any]:
    """A referral with personal details unique to this test, so a leak can be searched for."""
    marker = secrets.token_hex(3)
    form = {
        "external_referral_id": f"ref-{uuid.uuid4().hex[:12]}",
        "given_name": f"Marisol{marker}",
        "family_name": f"Quennell-{marker}",
        "date_of_birth": date(1981, 11, 23).isoformat(),
        "phone": f"+1 555 {int(marker, 16) % 1000:03d} {secrets.randbelow(10_000):04d}",
        "email": f"m.quennell.{marker}@example.org",
        "responder_role": "paramedic_emt",
        "agency": f"Lakeshore EMS {marker}",
        "referral_source": "occupational_health",
    }
    form.update(changes)
    return form


def screening_form(**changes: Any) -> dict[str, Any]:
    """The HTTP screening form of a patient who meets every rule."""
    form = eligible_form().model_dump(mode="json", exclude={"submitted_at"})
    form.update(changes)
    return form


def inbound(data: EventData, patient_id: str, pathway_id: str) -> Event[Any]:
    """An event from the referral portal or a clinician system, about one patient."""
    return new_event(data, subject=patient_id, correlation_id=pathway_id, source=PORTAL, time=NOW)


def events_about(records: list[ConsumerRecord], patient_id: str) -> list[Event[Any]]:
    events = [from_record(record.value, record.headers) for record in records]
    return [event for event in events if event.subject == patient_id]


def types_of(events: list[Event[Any]]) -> list[str]:
    return [event.type.split(".")[2] for event in events]


async def intake_events_until(
    kafka_bootstrap: str, topic_prefix: str, patient_id: str, last_type: str, times: int = 1
) -> list[Event[Any]]:
    """The patient's intake events, read until `times` of type `last_type` have been published.

    The relay publishes each patient's events in order, so anything emitted before that
    event is in the list too: a duplicate cannot hide by arriving later.
    """
    records = await read_until(
        kafka_bootstrap,
        topic_prefix + INTAKE_EVENTS.name,
        lambda got: types_of(events_about(got, patient_id)).count(last_type) >= times,
    )
    return events_about(records, patient_id)


def portal_ids() -> tuple[str, str]:
    """Ids the referral portal assigned (as an outside system would)."""
    return f"p-{uuid.uuid4().hex[:16]}", f"pw-{uuid.uuid4().hex[:16]}"


def referral_received(external_referral_id: str) -> ReferralReceived:
    return ReferralReceived(
        external_referral_id=external_referral_id,
        responder_role="paramedic_emt",
        referral_source="occupational_health",
        received_at=NOW,
    )

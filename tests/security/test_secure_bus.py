"""The secured bus on a real broker (TLS, SASL/SCRAM-SHA-512, ACLs denying what is not granted):
who can connect, who may write and read which topic, and a referral through it end to end."""

import secrets
import ssl

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from carepath_contracts import default_protocol, from_record
from carepath_contracts.topics import (
    FOLLOWUP_INBOUND,
    INFUSION_EVENTS,
    INTAKE_EVENTS,
    INTAKE_INBOUND,
)
from carepath_infusion import InfusionSettings
from carepath_infusion import create_app as infusion_app
from carepath_intake import IntakeSettings
from carepath_intake import create_app as intake_app
from carepath_runtime.bus import Bus
from carepath_runtime.topic_setup import create_topics, grant_access, wanted_topics
from carepath_testing.kafka_io import produce, read_to_end, read_until
from carepath_testing.secure_kafka import SecureKafka
from carepath_testing.service import running, static_tokens

pytestmark = pytest.mark.kafka

INTEGRATION_TOKEN = "integration-token-for-the-secure-bus"
COURSE_PLANNED = "carepath.infusion.course-planned.v1"


@pytest.fixture
async def secured(secure_kafka: SecureKafka, topic_prefix: str) -> SecureKafka:
    """This test's topics on the secure broker, and every principal's grants on them."""
    admin = secure_kafka.bus()
    await create_topics(admin, wanted_topics(topic_prefix))
    await grant_access(admin, topic_prefix)
    return secure_kafka


async def bootstraps(**options) -> None:
    admin = AIOKafkaAdminClient(request_timeout_ms=5000, **options)
    try:
        await admin.start()
        await admin.list_topics()
    finally:
        await admin.close()


async def test_a_client_without_credentials_cannot_connect(secured: SecureKafka) -> None:
    bootstrap = secured.bootstrap
    with pytest.raises(KafkaConnectionError):  # plaintext against a TLS listener
        await bootstraps(bootstrap_servers=bootstrap)
    tls_only = ssl.create_default_context(cafile=str(secured.kafka.tls.ca_certificate))
    with pytest.raises(KafkaConnectionError):  # TLS but no SASL login
        await bootstraps(bootstrap_servers=bootstrap, security_protocol="SSL", ssl_context=tls_only)
    wrong = secured.bus("intake").client_options() | {"sasl_plain_password": "not-the-password"}
    with pytest.raises(KafkaConnectionError):  # SCRAM with a wrong password
        await bootstraps(**wrong)
    # The same broker with the right credentials answers.
    await bootstraps(**secured.bus("intake").client_options())


async def test_intake_cannot_write_infusions_events(secured: SecureKafka, topic_prefix) -> None:
    intake = secured.bus("intake")
    record = [(b"p-0000000000000001", b"{}", [])]
    await produce(intake, topic_prefix + INTAKE_EVENTS.name, record)  # its own topic: fine
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(intake, topic_prefix + INFUSION_EVENTS.name, record)
    with pytest.raises(TopicAuthorizationFailedError):  # nor another service's inbound topic
        await produce(intake, topic_prefix + FOLLOWUP_INBOUND.name, record)


async def records_on(bus: Bus, topic: str, partitions: int) -> list:
    """What one fetch from the start of every partition returns to `bus`'s principal."""
    consumer = AIOKafkaConsumer(**bus.client_options(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, partition) for partition in range(partitions)])
        await consumer.seek_to_beginning()
        batch = await consumer.getmany(timeout_ms=5000)
        return [record for records in batch.values() for record in records]
    finally:
        await consumer.stop()


async def test_an_outside_system_reads_nothing_it_is_not_granted(
    secured: SecureKafka, topic_prefix
) -> None:
    events = topic_prefix + INFUSION_EVENTS.name
    await produce(secured.bus("infusion"), events, [(b"p-0000000000000002", b"{}", [])])
    # The clinic systems are granted infusion's events (they act on session schedules) ...
    assert (
        len(await records_on(secured.bus("clinic-systems"), events, INFUSION_EVENTS.partitions))
        == 1
    )
    # ... the patient app, which only sends assessments, gets nothing from the same partition
    # (the broker answers its metadata and fetch requests with TOPIC_AUTHORIZATION_FAILED).
    assert await records_on(secured.bus("patient-app"), events, INFUSION_EVENTS.partitions) == []
    # An outside system writes only the inbound topics it is granted.
    app = secured.bus("patient-app")
    await produce(app, topic_prefix + FOLLOWUP_INBOUND.name, [(b"p-0000000000000002", b"{}", [])])
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(app, topic_prefix + INTAKE_INBOUND.name, [(b"p-0000000000000002", b"{}", [])])


def _settings(model, service: str, secured: SecureKafka, prefix: str, database_url: str):
    bus = secured.bus(service)
    return model(
        kafka_bootstrap_servers=bus.bootstrap,
        kafka_security_protocol=bus.protocol,
        kafka_sasl_username=bus.username,
        kafka_sasl_password_file=bus.password_file,
        kafka_ssl_ca_file=bus.ca_file,
        topic_prefix=prefix,
        consumer_group=f"{prefix}carepath-{service}",
        create_topics=False,  # topics and grants are the admin's set-up, not the service's
        database_url=database_url,
        tokens=static_tokens({"integration": INTEGRATION_TOKEN}),
        outbox_poll_interval_s=0.2,
        shutdown_timeout_s=10,
    )


def _referral() -> dict:
    return {
        "external_referral_id": f"ref-secure-{secrets.token_hex(6)}",
        "given_name": "Robin",
        "family_name": "Secure",
        "date_of_birth": "1983-04-02",
        "phone": "+1 555 010 2233",
        "email": "robin.secure@example.org",
        "responder_role": "firefighter",
        "agency": "Secure Bus Fire Department",
        "referral_source": "occupational_health",
    }


def _eligible_screening() -> dict:
    pcl5 = default_protocol().pcl5
    total = pcl5.probable_ptsd_at_or_above + 12
    items = [max(0, min(pcl5.item_max, total - pcl5.item_max * i)) for i in range(pcl5.item_count)]
    return {
        "pcl5_items": items,
        "vitals": {
            "systolic_mmhg": 122,
            "diastolic_mmhg": 78,
            "heart_rate_bpm": 72,
            "spo2_percent": 98,
        },
        "weight_kg": 82.5,
        "height_cm": 178.0,
        "history": [],
        "current_medications": [],
        "consent_given": True,
        "escort_named": True,
    }


async def test_a_referral_runs_end_to_end_on_the_secure_bus(
    secured: SecureKafka, topic_prefix, tmp_path
) -> None:
    """Intake and infusion, each as its own principal: a referral and a screening over intake's
    API become a planned course that the clinic systems read from infusion's events."""
    intake = intake_app(
        _settings(
            IntakeSettings, "intake", secured, topic_prefix, f"sqlite+aiosqlite:///{tmp_path}/i.db"
        )
    )
    infusion = infusion_app(
        _settings(
            InfusionSettings,
            "infusion",
            secured,
            topic_prefix,
            f"sqlite+aiosqlite:///{tmp_path}/f.db",
        )
    )
    async with running(infusion), running(intake, INTEGRATION_TOKEN) as client:
        referred = await client.post("/v1/referrals", json=_referral())
        assert referred.status_code == 201, referred.text
        patient = referred.json()["patient_id"]
        screened = await client.post(
            f"/v1/patients/{patient}/screening", json=_eligible_screening()
        )
        assert screened.status_code in (200, 201), screened.text

        def planned(records) -> bool:
            return any(
                record.key == patient.encode()
                and from_record(record.value, record.headers).type == COURSE_PLANNED
                for record in records
            )

        await read_until(
            secured.bus("clinic-systems"), topic_prefix + INFUSION_EVENTS.name, planned, timeout=60
        )
    # Nothing was dead-lettered on the way.
    for service in ("intake", "infusion"):
        letters = await read_to_end(secured.bus(), f"{topic_prefix}carepath.{service}.dlq")
        assert letters == []

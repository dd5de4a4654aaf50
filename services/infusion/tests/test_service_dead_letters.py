"""On the real broker: inbound events that can never be handled go to the dead-letter topic."""

import json

import pytest

from carepath_contracts import INFUSION_DLQ, INFUSION_EVENTS, INFUSION_INBOUND, SessionCleared
from carepath_infusion import create_app
from carepath_runtime import deadletters
from carepath_runtime.clock import ManualClock
from carepath_testing.kafka_io import header, produce, produce_events, read_until
from carepath_testing.service import running
from carepath_testing.watch import watching

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    checked_in,
    discharged,
    ended,
    new_patient_id,
)
from .service_helpers import plan

pytestmark = pytest.mark.kafka
CONTENT_TYPE = [("content-type", b"application/cloudevents+json; charset=utf-8")]


async def test_invalid_inbound_events_are_dead_lettered_with_the_reason_and_the_rest_handled(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    inbound = prefix + INFUSION_INBOUND.name
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            first, second = (await plan(kafka_bootstrap, prefix, events, patient_id))[:2]
            missing_field = json.loads(
                checked_in(patient_id, first.session_id, MONDAY).model_dump_json()
            )
            del missing_field["data"]["escort_present"]
            key = patient_id.encode()
            await produce(
                kafka_bootstrap,
                inbound,
                [
                    (key, b"{not json", CONTENT_TYPE),
                    (key, json.dumps(missing_field).encode(), CONTENT_TYPE),
                ],
            )
            await produce_events(
                kafka_bootstrap,
                [
                    checked_in(new_patient_id(), first.session_id, MONDAY),  # no such patient
                    ended(patient_id, second.session_id, MONDAY),  # never started
                    discharged(patient_id, second.session_id, MONDAY),  # never started
                    checked_in(patient_id, first.session_id, MONDAY),  # valid: handled
                ],
                prefix,
            )
            dead = await read_until(
                kafka_bootstrap, prefix + INFUSION_DLQ.name, lambda got: len(got) >= 5
            )
            await events.wait_count(patient_id, SessionCleared, 1)

    # Order holds per partition only: the stranger's record has another key, so another
    # partition, and its dead letter may come first or last.
    ours = [record for record in dead if record.key == key]
    (stranger,) = [record for record in dead if record.key != key]
    assert [header(record, deadletters.ERROR_CLASS) for record in ours] == [
        "NotJsonError",
        "InvalidEventError",
        "RuleViolationError",
        "RuleViolationError",
    ]
    messages = [header(record, deadletters.ERROR_MESSAGE) for record in ours]
    assert "escort_present" in messages[1]
    assert f"cannot end session {second.session_id}: it is scheduled" in messages[2]
    assert "discharge needs an infusion that ended" in messages[3]
    assert header(stranger, deadletters.ERROR_CLASS) == "RuleViolationError"
    assert "has no infusion course" in header(stranger, deadletters.ERROR_MESSAGE)
    for record in dead[1:]:
        assert header(record, deadletters.ORIGINAL_TOPIC) == inbound
        assert header(record, deadletters.SERVICE) == "infusion"


async def test_the_patient_view_needs_a_token_and_names_an_unknown_patient(settings):
    app = create_app(settings, clock=ManualClock(MONDAY))
    async with running(app) as anonymous:
        unauthenticated = await anonymous.get("/v1/patients/pt-nobody")
        unknown = await anonymous.get(
            "/v1/patients/pt-nobody", headers={"Authorization": f"Bearer {CLINICIAN_TOKEN}"}
        )
        wrong_role = await anonymous.get(
            "/v1/patients/pt-nobody", headers={"Authorization": "Bearer not-a-token"}
        )
    assert unauthenticated.status_code == 401
    assert wrong_role.status_code == 401
    assert unknown.status_code == 404
    assert "pt-nobody has no infusion course" in unknown.json()["detail"]

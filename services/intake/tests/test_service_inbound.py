"""Intake's inbound topic on the real broker: a portal pathway through HTTP and the bus, a dead
letter on its topic. The rules as handlers apply them run offline in test_handlers_inbound.py."""

import json

import pytest

from carepath_contracts import (
    INTAKE_DLQ,
    INTAKE_INBOUND,
)
from carepath_runtime import deadletters
from carepath_testing.kafka_io import header, produce, produce_events, read_until
from carepath_testing.service import running

from .builders import eligible_form
from .harness import (
    CLINICIAN_TOKEN,
    inbound,
    intake_app,
    intake_events_until,
    portal_ids,
    referral_form,
    referral_received,
    types_of,
)

pytestmark = pytest.mark.kafka


@pytest.fixture
def app(kafka_bootstrap, topic_prefix, database_url):
    return intake_app(kafka_bootstrap, topic_prefix, database_url)


async def dead_letters(kafka_bootstrap, topic_prefix, count: int):
    return await read_until(
        kafka_bootstrap, topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= count
    )


async def test_a_portal_referral_keeps_its_ids_when_personal_details_follow_over_http(
    app, kafka_bootstrap, topic_prefix
):
    patient_id, pathway_id = portal_ids()
    form = referral_form()
    referral = inbound(referral_received(form["external_referral_id"]), patient_id, pathway_id)
    async with running(app, CLINICIAN_TOKEN) as client:
        await produce_events(kafka_bootstrap, [referral], topic_prefix)
        await intake_events_until(kafka_bootstrap, topic_prefix, patient_id, "referral-accepted")
        details = await client.post("/v1/referrals", json=form)
        screening = inbound(eligible_form(), patient_id, pathway_id)
        await produce_events(kafka_bootstrap, [screening], topic_prefix)
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-screened"
        )
        view = await client.get(f"/v1/patients/{patient_id}")

    assert details.status_code == 200
    assert (details.json()["patient_id"], details.json()["pathway_id"]) == (patient_id, pathway_id)
    assert types_of(events) == ["referral-accepted", "patient-screened"]
    assert [event.causationid for event in events] == [referral.id, screening.id]
    assert {event.correlationid for event in events} == {pathway_id}
    assert events[1].data.outcome == "eligible"
    assert view.json()["personal_details"]["email"] == form["email"]


async def test_an_invalid_inbound_screening_is_dead_lettered_naming_the_field(
    app, kafka_bootstrap, topic_prefix
):
    patient_id, pathway_id = portal_ids()
    document = json.loads(inbound(eligible_form(), patient_id, pathway_id).model_dump_json())
    document["data"]["pcl5_items"] = document["data"]["pcl5_items"][:19]
    content_type = [("content-type", b"application/cloudevents+json; charset=utf-8")]
    async with running(app):
        await produce(
            kafka_bootstrap,
            topic_prefix + INTAKE_INBOUND.name,
            [(patient_id.encode(), json.dumps(document).encode(), content_type)],
        )
        (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    assert header(dead, deadletters.ERROR_CLASS) == "InvalidEventError"
    assert "data.pcl5_items: PCL-5 needs exactly 20 items, got 19 (item 20 missing)" in header(
        dead, deadletters.ERROR_MESSAGE
    )

"""Intake's inbound topic on the real broker: portal and clinician events, dead letters, repeats."""

import json
import uuid

import pytest

from carepath_contracts import (
    INTAKE_DLQ,
    INTAKE_INBOUND,
    ConsentWithdrawn,
    ReferralReceived,
    ReviewDecided,
)
from carepath_runtime import deadletters
from carepath_testing.kafka_io import header, produce, produce_events, read_until
from carepath_testing.service import running

from .builders import NOW, eligible_form
from .harness import (
    CLINICIAN_TOKEN,
    inbound,
    intake_app,
    intake_events_until,
    referral_form,
    screening_form,
    types_of,
)

pytestmark = pytest.mark.kafka


@pytest.fixture
def app(kafka_bootstrap, topic_prefix, database_url):
    return intake_app(kafka_bootstrap, topic_prefix, database_url)


def portal_ids() -> tuple[str, str]:
    return f"p-{uuid.uuid4().hex[:16]}", f"pw-{uuid.uuid4().hex[:16]}"


def referral_received(external_referral_id: str) -> ReferralReceived:
    return ReferralReceived(
        external_referral_id=external_referral_id,
        responder_role="paramedic_emt",
        referral_source="occupational_health",
        received_at=NOW,
    )


async def dead_letters(kafka_bootstrap, topic_prefix, count: int):
    return await read_until(
        kafka_bootstrap, topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= count
    )


async def refer_over_http(client) -> tuple[str, str]:
    response = await client.post("/v1/referrals", json=referral_form())
    assert response.status_code == 201, response.text
    return response.json()["patient_id"], response.json()["pathway_id"]


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


async def test_screening_for_a_patient_without_a_referral_is_dead_lettered_with_the_reason(
    app, kafka_bootstrap, topic_prefix
):
    patient_id, pathway_id = portal_ids()
    screening = inbound(eligible_form(), patient_id, pathway_id)
    async with running(app):
        await produce_events(kafka_bootstrap, [screening], topic_prefix)
        (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    assert header(dead, deadletters.ERROR_CLASS) == "RuleViolationError"
    assert header(dead, deadletters.ERROR_MESSAGE) == (
        f"no referral is on record for patient {patient_id}"
    )
    assert header(dead, deadletters.ORIGINAL_TOPIC) == topic_prefix + INTAKE_INBOUND.name
    assert json.loads(dead.value)["id"] == screening.id


async def test_screening_before_the_date_of_birth_is_known_is_dead_lettered(
    app, kafka_bootstrap, topic_prefix
):
    patient_id, pathway_id = portal_ids()
    events = [
        inbound(referral_received(f"ref-{uuid.uuid4().hex[:8]}"), patient_id, pathway_id),
        inbound(eligible_form(), patient_id, pathway_id),
    ]
    async with running(app):
        await produce_events(kafka_bootstrap, events, topic_prefix)
        (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    message = header(dead, deadletters.ERROR_MESSAGE)
    assert f"patient {patient_id} has no date of birth on record" in message


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


async def test_a_redelivered_or_resent_screening_does_not_emit_twice(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, pathway_id = await refer_over_http(client)
        screening = inbound(eligible_form(), patient_id, pathway_id)
        resent = inbound(eligible_form(submitted_at=NOW.replace(hour=11)), patient_id, pathway_id)
        withdrawal = inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, pathway_id)
        # The same event twice (a redelivery), the same form as a new event (a resend), then
        # a withdrawal: once that is out, any duplicate screening result would be out too.
        await produce_events(
            kafka_bootstrap, [screening, screening, resent, withdrawal], topic_prefix
        )
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-withdrawn"
        )

    assert types_of(events) == ["referral-accepted", "patient-screened", "patient-withdrawn"]
    assert events[1].causationid == screening.id
    assert events[2].data.reason_code == "consent_withdrawn"


async def test_a_review_decided_by_a_clinician_system_finalises_the_screening(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, pathway_id = await refer_over_http(client)
        needs_review = eligible_form(current_medications=["benzodiazepine"])
        decided = ReviewDecided(
            decision="declined",
            reason_code="other_care_more_suitable",
            clinician_id="clin-12",
            decided_at=NOW,
        )
        review = inbound(decided, patient_id, pathway_id)
        await produce_events(
            kafka_bootstrap, [inbound(needs_review, patient_id, pathway_id), review], topic_prefix
        )
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-screened", times=2
        )
        view = await client.get(f"/v1/patients/{patient_id}")

    final = events[-1]
    assert final.causationid == review.id
    assert (final.data.outcome, final.data.final, final.data.reviewed_by) == (
        "ineligible",
        True,
        "clin-12",
    )
    assert final.data.reason_codes == ["benzodiazepine_use", "declined_at_review"]
    assert view.json()["status"] == "ineligible"
    assert view.json()["review"]["reason_code"] == "other_care_more_suitable"


async def test_a_review_of_a_final_screening_is_dead_lettered_and_changes_nothing(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, pathway_id = await refer_over_http(client)
        await client.post(
            f"/v1/patients/{patient_id}/screening",
            json=eligible_form().model_dump(mode="json", exclude={"submitted_at"}),
        )
        decided = ReviewDecided(
            decision="declined",
            reason_code="patient_preference",
            clinician_id="c-2",
            decided_at=NOW,
        )
        await produce_events(
            kafka_bootstrap, [inbound(decided, patient_id, pathway_id)], topic_prefix
        )
        (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)
        view = await client.get(f"/v1/patients/{patient_id}")

    assert f"patient {patient_id} is eligible: only a screening that needs review" in header(
        dead, deadletters.ERROR_MESSAGE
    )
    assert (view.json()["status"], view.json()["review"]) == ("eligible", None)


async def test_an_event_naming_another_pathway_is_dead_lettered(app, kafka_bootstrap, topic_prefix):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer_over_http(client)
        stray = inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, "pw-somebody-else")
        await produce_events(kafka_bootstrap, [stray], topic_prefix)
        (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)
        view = await client.get(f"/v1/patients/{patient_id}")

    assert "pathway pw-somebody-else is not" in header(dead, deadletters.ERROR_MESSAGE)
    assert view.json()["status"] == "referred"


async def test_an_http_screening_before_the_date_of_birth_is_known_gets_409(
    app, kafka_bootstrap, topic_prefix
):
    patient_id, pathway_id = portal_ids()
    referral = inbound(referral_received(f"ref-{uuid.uuid4().hex[:8]}"), patient_id, pathway_id)
    async with running(app, CLINICIAN_TOKEN) as client:
        await produce_events(kafka_bootstrap, [referral], topic_prefix)
        await intake_events_until(kafka_bootstrap, topic_prefix, patient_id, "referral-accepted")
        response = await client.post(f"/v1/patients/{patient_id}/screening", json=screening_form())

    assert response.status_code == 409
    assert "no date of birth on record" in response.json()["detail"]

"""Intake's handlers for portal and clinician events, run offline (no broker): each rule as the
consumer applies it, dead letters with their reason, repeats. Delivery on the real broker is in
test_service_inbound.py."""

import uuid
from datetime import timedelta

import pytest

from carepath_contracts import ConsentWithdrawn, ReviewDecided
from carepath_intake import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.offline import consume, dead_lettered, emitted, offline, reason

from .builders import NOW, eligible_form
from .harness import (
    CLINICIAN_TOKEN,
    inbound,
    intake_settings,
    portal_ids,
    referral_form,
    referral_received,
    screening_form,
    types_of,
)


@pytest.fixture
async def intake(tmp_path):
    settings = intake_settings("127.0.0.1:1", "t.", f"sqlite+aiosqlite:///{tmp_path}/intake.db")
    app = create_app(settings, clock=ManualClock(NOW))
    async with offline(app, CLINICIAN_TOKEN) as client:
        yield app, client


async def refer_over_http(client) -> tuple[str, str]:
    response = await client.post("/v1/referrals", json=referral_form())
    assert response.status_code == 201, response.text
    return response.json()["patient_id"], response.json()["pathway_id"]


async def test_screening_for_a_patient_without_a_referral_is_dead_lettered_with_the_reason(intake):
    app, _ = intake
    patient_id, pathway_id = portal_ids()
    screening = inbound(eligible_form(), patient_id, pathway_id)

    await consume(app, screening)

    (dead,) = dead_lettered(app)
    assert reason(dead) == (
        "RuleViolationError",
        f"no referral is on record for patient {patient_id}",
    )
    assert await emitted(app, patient_id) == []


async def test_screening_before_the_date_of_birth_is_known_is_dead_lettered(intake):
    app, _ = intake
    patient_id, pathway_id = portal_ids()
    referral = inbound(referral_received(f"ref-{uuid.uuid4().hex[:8]}"), patient_id, pathway_id)

    await consume(app, referral, inbound(eligible_form(), patient_id, pathway_id))

    (dead,) = dead_lettered(app)
    assert f"patient {patient_id} has no date of birth on record" in reason(dead)[1]
    assert types_of(await emitted(app, patient_id)) == ["referral-accepted"]


async def test_a_redelivered_or_resent_screening_does_not_emit_twice(intake):
    app, client = intake
    patient_id, pathway_id = await refer_over_http(client)
    screening = inbound(eligible_form(), patient_id, pathway_id)
    resent = inbound(eligible_form(submitted_at=NOW.replace(hour=11)), patient_id, pathway_id)
    withdrawal = inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, pathway_id)

    # The same event in one batch and again in a later one (a redelivery), the same form as a
    # new event (a resend), then a withdrawal.
    await consume(app, screening, screening)
    await consume(app, screening, resent, withdrawal)

    events = await emitted(app, patient_id)
    assert types_of(events) == ["referral-accepted", "patient-screened", "patient-withdrawn"]
    assert events[1].causationid == screening.id
    assert events[2].data.reason_code == "consent_withdrawn"
    assert dead_lettered(app) == []


async def test_a_review_decided_by_a_clinician_system_finalises_the_screening(intake):
    app, client = intake
    patient_id, pathway_id = await refer_over_http(client)
    needs_review = eligible_form(current_medications=["benzodiazepine"])
    decided = ReviewDecided(
        decision="declined",
        reason_code="other_care_more_suitable",
        clinician_id="clin-12",
        decided_at=NOW,
    )
    review = inbound(decided, patient_id, pathway_id)

    await consume(app, inbound(needs_review, patient_id, pathway_id), review)

    final = (await emitted(app, patient_id))[-1]
    assert final.causationid == review.id
    assert (final.data.outcome, final.data.final, final.data.reviewed_by) == (
        "ineligible",
        True,
        "clin-12",
    )
    assert final.data.reason_codes == ["benzodiazepine_use", "declined_at_review"]
    view = (await client.get(f"/v1/patients/{patient_id}")).json()
    assert view["status"] == "ineligible"
    assert view["review"]["reason_code"] == "other_care_more_suitable"


async def test_a_review_of_a_final_screening_is_dead_lettered_and_changes_nothing(intake):
    app, client = intake
    patient_id, pathway_id = await refer_over_http(client)
    screened = await client.post(f"/v1/patients/{patient_id}/screening", json=screening_form())
    assert screened.status_code == 201, screened.text
    decided = ReviewDecided(
        decision="declined", reason_code="patient_preference", clinician_id="c-2", decided_at=NOW
    )

    await consume(app, inbound(decided, patient_id, pathway_id))

    (dead,) = dead_lettered(app)
    assert (
        f"patient {patient_id} is eligible: only a screening that needs review" in reason(dead)[1]
    )
    view = (await client.get(f"/v1/patients/{patient_id}")).json()
    assert (view["status"], view["review"]) == ("eligible", None)


async def test_an_event_naming_another_pathway_is_dead_lettered(intake):
    app, client = intake
    patient_id, _ = await refer_over_http(client)

    await consume(app, inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, "pw-somebody-else"))

    (dead,) = dead_lettered(app)
    assert "pathway pw-somebody-else is not" in reason(dead)[1]
    assert (await client.get(f"/v1/patients/{patient_id}")).json()["status"] == "referred"


async def test_an_http_screening_before_the_date_of_birth_is_known_gets_409(intake):
    app, client = intake
    patient_id, pathway_id = portal_ids()
    referral = inbound(referral_received(f"ref-{uuid.uuid4().hex[:8]}"), patient_id, pathway_id)
    await consume(app, referral)

    response = await client.post(f"/v1/patients/{patient_id}/screening", json=screening_form())

    assert response.status_code == 409
    assert "no date of birth on record" in response.json()["detail"]


async def test_a_withdrawal_after_a_week_is_stamped_with_the_clock(intake):
    app, client = intake
    patient_id, pathway_id = await refer_over_http(client)
    app.state.runtime.clock.advance(timedelta(days=7))

    await consume(app, inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, pathway_id))

    (withdrawn,) = [e for e in await emitted(app, patient_id) if e.type.endswith("withdrawn.v1")]
    assert withdrawn.time == NOW + timedelta(days=7)

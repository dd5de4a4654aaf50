"""Intake over HTTP on the real broker: forms in, events out through the outbox."""

import pytest

from carepath_contracts import DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION
from carepath_testing.service import running

from .builders import CALM_VITALS, NOW, PROTOCOL
from .harness import (
    AS_INTEGRATION,
    CLINICIAN,
    CLINICIAN_TOKEN,
    intake_app,
    intake_events_until,
    referral_form,
    screening_form,
    types_of,
)

pytestmark = pytest.mark.kafka

NEEDS_REVIEW_FORM = screening_form(history=["hypertension_controlled"])


@pytest.fixture
def app(kafka_bootstrap, topic_prefix, database_url):
    return intake_app(kafka_bootstrap, topic_prefix, database_url)


async def refer(client, **changes) -> tuple[str, str]:
    response = await client.post("/v1/referrals", json=referral_form(**changes))
    assert response.status_code == 201, response.text
    return response.json()["patient_id"], response.json()["pathway_id"]


async def test_high_suicide_risk_at_screening_publishes_an_urgent_safety_concern(
    app, kafka_bootstrap, topic_prefix
):
    form = screening_form(history=["high_suicide_risk"])
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, pathway_id = await refer(client)
        response = await client.post(f"/v1/patients/{patient_id}/screening", json=form)
        assert response.status_code == 201, response.text
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "safety-concern-raised"
        )

    assert response.json()["status"] == "ineligible"
    assert types_of(events) == ["referral-accepted", "patient-screened", "safety-concern-raised"]
    screened, concern = events[1:]
    assert (screened.data.outcome, screened.data.final) == ("ineligible", True)
    assert (concern.data.concern, concern.data.action) == (
        "high_suicide_risk",
        "route_to_urgent_care",
    )
    assert concern.correlationid == pathway_id
    assert concern.causationid is None  # an HTTP form starts the chain


async def test_referral_and_screening_over_http_publish_patient_screened_for_that_patient(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, pathway_id = await refer(client)
        response = await client.post(f"/v1/patients/{patient_id}/screening", json=screening_form())
        assert response.status_code == 201, response.text
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-screened"
        )

    assert response.json()["status"] == "eligible"
    assert types_of(events) == ["referral-accepted", "patient-screened"]
    accepted, screened = events
    assert {event.correlationid for event in events} == {pathway_id}
    assert accepted.data.responder_role == "paramedic_emt"
    data = screened.data
    assert (data.outcome, data.final, data.reason_codes) == ("eligible", True, [])
    assert (data.protocol.id, data.protocol.version) == (
        DEFAULT_PROTOCOL_ID,
        DEFAULT_PROTOCOL_VERSION,
    )
    assert data.baseline_pcl5.total == PROTOCOL.pcl5.probable_ptsd_at_or_above + 12
    assert (data.dosing_weight_kg, data.dosing_weight_basis, data.bmi) == (
        82.5,
        "actual_body_weight",
        26.0,
    )
    assert screened.time == data.screened_at == NOW
    assert screened.source == "carepath/intake"


async def test_the_same_external_referral_id_again_returns_the_existing_ids_with_200(app):
    form = referral_form()
    async with running(app, CLINICIAN_TOKEN) as client:
        first = await client.post("/v1/referrals", json=form)
        again = await client.post("/v1/referrals", json=form, headers=AS_INTEGRATION)
        changed = await client.post("/v1/referrals", json={**form, "referral_source": "self"})

    assert (first.status_code, again.status_code) == (201, 200)
    ids = ("patient_id", "pathway_id")
    assert [again.json()[key] for key in ids] == [first.json()[key] for key in ids]
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert first.json()["patient_id"].startswith("p-")
    assert first.json()["pathway_id"].startswith("pw-")
    assert changed.status_code == 409
    assert "already on record" in changed.json()["detail"]


async def test_personal_details_are_shown_to_clinicians_only(app):
    form = referral_form()
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client, **form)
        as_clinician = await client.get(f"/v1/patients/{patient_id}")
        as_integration = await client.get(f"/v1/patients/{patient_id}", headers=AS_INTEGRATION)

    assert as_clinician.status_code == as_integration.status_code == 200
    details = as_clinician.json()["personal_details"]
    assert (details["family_name"], details["email"], details["date_of_birth"]) == (
        form["family_name"],
        form["email"],
        form["date_of_birth"],
    )
    assert as_integration.json()["personal_details"] is None
    for value in (form["given_name"], form["family_name"], form["email"], form["phone"]):
        assert value not in as_integration.text
    assert as_integration.json()["status"] == "referred"


async def test_an_unknown_patient_gets_404_naming_the_patient(app):
    async with running(app, CLINICIAN_TOKEN) as client:
        read = await client.get("/v1/patients/p-0000000000000000")
        screen = await client.post(
            "/v1/patients/p-0000000000000000/screening", json=screening_form()
        )

    assert read.status_code == screen.status_code == 404
    assert read.json()["detail"] == "no referral is on record for patient p-0000000000000000"


async def test_a_duplicate_screening_submission_does_not_emit_twice(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client)
        url = f"/v1/patients/{patient_id}/screening"
        first = await client.post(url, json=screening_form())
        again = await client.post(url, json=screening_form(), headers=AS_INTEGRATION)
        different = await client.post(url, json=NEEDS_REVIEW_FORM)
        # Withdrawal comes after on the patient's ordered stream: once it is out, any
        # second patient-screened would be out too.
        withdrawn = await client.post(
            f"/v1/patients/{patient_id}/withdraw", json={"reason_code": "patient_request"}
        )
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-withdrawn"
        )

    assert (first.status_code, again.status_code, different.status_code) == (201, 200, 409)
    assert again.json()["screening"] == first.json()["screening"]
    assert "already screened" in different.json()["detail"]
    assert withdrawn.json()["status"] == "withdrawn"
    assert types_of(events) == ["referral-accepted", "patient-screened", "patient-withdrawn"]


async def test_a_clinician_review_turns_needs_review_into_a_final_patient_screened(
    app, kafka_bootstrap, topic_prefix
):
    review = {"decision": "approved", "reason_code": "caution_managed"}
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client)
        screened = await client.post(f"/v1/patients/{patient_id}/screening", json=NEEDS_REVIEW_FORM)
        by_integration = await client.post(
            f"/v1/patients/{patient_id}/review", json=review, headers=AS_INTEGRATION
        )
        # The reviewer is whoever holds the token: a form naming another clinician is refused.
        in_another_name = await client.post(
            f"/v1/patients/{patient_id}/review", json={**review, "clinician_id": "clin-9"}
        )
        reviewed = await client.post(f"/v1/patients/{patient_id}/review", json=review)
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-screened", times=2
        )

    assert screened.json()["status"] == "awaiting_review"
    assert screened.json()["screening"]["final"] is False
    assert by_integration.status_code == 403
    assert in_another_name.status_code == 422
    assert reviewed.status_code == 200
    view = reviewed.json()
    assert (view["status"], view["screening"]["outcome"], view["screening"]["final"]) == (
        "eligible",
        "eligible",
        True,
    )
    assert view["screening"]["outcome_before_review"] == "needs_review"
    assert view["review"]["clinician_id"] == CLINICIAN
    first, final = [event.data for event in events if event.type.endswith("patient-screened.v1")]
    assert (first.outcome, first.final) == ("needs_review", False)
    assert (final.outcome, final.final, final.reviewed_by) == ("eligible", True, CLINICIAN)
    assert final.reason_codes == ["hypertension_controlled"]


async def test_every_reason_is_listed_with_its_kind_and_detail(app):
    form = screening_form(
        history=["psychosis", "moderate_or_severe_brain_injury"],
        current_medications=["maoi"],
        escort_named=False,
        vitals={**CALM_VITALS.model_dump(), "diastolic_mmhg": 95},
    )
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client)
        response = await client.post(f"/v1/patients/{patient_id}/screening", json=form)

    screening = response.json()["screening"]
    assert (screening["outcome"], screening["final"]) == ("ineligible", True)
    kinds = {reason["code"]: reason["kind"] for reason in screening["reasons"]}
    assert kinds == {
        "psychosis": "exclusion",
        "no_escort": "unmet_requirement",
        "moderate_or_severe_brain_injury": "caution",
        "maoi_use": "caution",
        "blood_pressure_above_limit": "caution",
    }
    assert all(reason["detail"] for reason in screening["reasons"])
    assert screening["age_years"] == 44


async def test_withdrawal_is_announced_once_and_stops_further_screening(
    app, kafka_bootstrap, topic_prefix
):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client)
        url = f"/v1/patients/{patient_id}/withdraw"
        first = await client.post(url, json={"reason_code": "moved_away"}, headers=AS_INTEGRATION)
        again = await client.post(url, json={"reason_code": "patient_request"})
        screening = await client.post(f"/v1/patients/{patient_id}/screening", json=screening_form())
        # The refused screening emitted nothing, so the withdrawal is the patient's last event.
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "patient-withdrawn"
        )

    assert first.status_code == again.status_code == 200
    assert again.json()["withdrawal"]["reason_code"] == "moved_away"
    assert screening.status_code == 409
    assert "withdrew" in screening.json()["detail"]
    assert types_of(events) == ["referral-accepted", "patient-withdrawn"]
    assert events[-1].data.reason_code == "moved_away"


async def test_measures_that_give_an_impossible_bmi_get_422_naming_both(app):
    async with running(app, CLINICIAN_TOKEN) as client:
        patient_id, _ = await refer(client)
        response = await client.post(
            f"/v1/patients/{patient_id}/screening",
            json=screening_form(weight_kg=400, height_cm=100),
        )
        view = await client.get(f"/v1/patients/{patient_id}")

    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [
        ["body", "weight_kg"],
        ["body", "height_cm"],
    ]
    assert "BMI of 400" in response.json()["detail"][0]["msg"]
    assert view.json()["screening"] is None

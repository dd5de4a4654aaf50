"""Intake's FHIR view, driven through its own forms in this process (no broker is needed:
forms are handled on the request): the Bundle passes the FHIR R4 models and our checks, holds
the personal details for clinicians only, and no other role may read it."""

from collections.abc import AsyncIterator

import httpx
import pytest

from carepath_intake import IntakeSettings, create_app
from carepath_runtime.clock import ManualClock
from carepath_runtime.fhir import LOINC
from carepath_runtime.schema_migrations import upgrade
from carepath_testing.fhir import resources_of, validate_bundle
from carepath_testing.service import static_tokens

from .builders import NOW
from .harness import referral_form, screening_form

TOKENS = {"clinician": "fhir-clinician", "integration": "fhir-integration", "operator": "fhir-ops"}


@pytest.fixture
async def intake(tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """Intake's routes, handlers and store on SQLite, as a clinician; the broker never starts."""
    settings = IntakeSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        tokens=static_tokens(TOKENS),
    )
    app = create_app(settings, clock=ManualClock(NOW))
    runtime = app.state.runtime
    await upgrade(runtime.engine, runtime.definition.migrations)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://intake",
        headers={"Authorization": f"Bearer {TOKENS['clinician']}"},
    ) as client:
        yield client
    await runtime.engine.dispose()


async def referred(client: httpx.AsyncClient, **form) -> tuple[str, dict]:
    referral = referral_form(**form)
    reply = await client.post("/v1/referrals", json=referral)
    assert reply.status_code == 201, reply.text
    return reply.json()["patient_id"], referral


async def bundle_of(client: httpx.AsyncClient, patient_id: str) -> dict:
    reply = await client.get(f"/v1/patients/{patient_id}/fhir")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/fhir+json"
    return reply.json()


async def test_a_screened_patient_is_a_valid_bundle_of_patient_referral_and_screening(intake):
    patient_id, referral = await referred(intake)
    screened = await intake.post(f"/v1/patients/{patient_id}/screening", json=screening_form())
    assert screened.status_code == 201, screened.text

    bundle = await bundle_of(intake, patient_id)

    counts = validate_bundle(bundle, closed=True)
    assert counts == {
        "Patient": 1,
        "ServiceRequest": 1,
        "QuestionnaireResponse": 1,
        "Observation": 4 + 4,  # PCL-5 score, outcome, body and dosing weight; vitals panel + 3
    }
    (patient,) = resources_of(bundle, "Patient")
    assert patient["identifier"][0]["value"] == patient_id
    name = {"family": referral["family_name"], "given": [referral["given_name"]]}
    assert patient["name"] == [name]
    assert patient["birthDate"] == referral["date_of_birth"]
    (request,) = resources_of(bundle, "ServiceRequest")
    assert (request["status"], request["intent"]) == ("active", "order")
    assert request["identifier"][0]["value"] == referral["external_referral_id"]
    assert request["subject"]["reference"] == f"Patient/{patient['id']}"
    (response,) = resources_of(bundle, "QuestionnaireResponse")
    items = screening_form()["pcl5_items"]
    assert [item["answer"][0]["valueInteger"] for item in response["item"]] == items
    loinc = {
        coding["code"]
        for observation in resources_of(bundle, "Observation")
        for coding in observation["code"]["coding"]
        if coding["system"] == LOINC
    }
    assert loinc == {"29463-7", "85353-1", "85354-9", "8867-4", "2708-6", "59408-5"}


async def test_a_referral_not_yet_screened_is_the_patient_and_the_request(intake):
    patient_id, _ = await referred(intake)
    bundle = await bundle_of(intake, patient_id)
    assert validate_bundle(bundle, closed=True) == {"Patient": 1, "ServiceRequest": 1}


async def test_an_ineligible_screening_revokes_the_request_and_lists_every_reason(intake):
    patient_id, _ = await referred(intake)
    form = screening_form(history=["psychosis", "moderate_or_severe_brain_injury"])
    await intake.post(f"/v1/patients/{patient_id}/screening", json=form)

    bundle = await bundle_of(intake, patient_id)

    validate_bundle(bundle, closed=True)
    (request,) = resources_of(bundle, "ServiceRequest")
    assert request["status"] == "revoked"
    (outcome,) = [o for o in resources_of(bundle, "Observation") if o["id"].startswith("screening")]
    assert outcome["valueCodeableConcept"]["coding"][0]["code"] == "ineligible"
    assert {c["code"]["coding"][0]["code"] for c in outcome["component"]} == {
        "psychosis",
        "moderate_or_severe_brain_injury",
    }


async def test_personal_details_appear_nowhere_else_than_the_patient_resource(intake):
    patient_id, referral = await referred(intake)
    await intake.post(f"/v1/patients/{patient_id}/screening", json=screening_form())
    bundle = await bundle_of(intake, patient_id)
    others = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    for detail in ("given_name", "family_name", "phone", "email", "agency"):
        assert referral[detail] not in str(others)


@pytest.mark.parametrize(("role", "status"), [("integration", 403), ("operator", 403)])
async def test_only_clinicians_may_read_the_fhir_view(intake, role, status):
    patient_id, _ = await referred(intake)
    as_role = {"Authorization": f"Bearer {TOKENS[role]}"}
    reply = await intake.get(f"/v1/patients/{patient_id}/fhir", headers=as_role)
    assert reply.status_code == status
    assert "may not" in reply.json()["detail"]
    anonymous = await intake.get(f"/v1/patients/{patient_id}/fhir", headers={"Authorization": ""})
    assert anonymous.status_code == 401


async def test_an_unknown_patient_is_404_naming_the_patient(intake):
    reply = await intake.get("/v1/patients/p-nobody-here/fhir")
    assert reply.status_code == 404
    assert "p-nobody-here" in reply.json()["detail"]

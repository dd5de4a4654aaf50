"""Intake's part of the FHIR view: the Patient (the only personal details in Carepath), the
referral as a ServiceRequest, and the screening: the baseline PCL-5 (items and score), the
screening outcome and its reasons, body and dosing weight, and the screening vitals."""

from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import Instrument, Timepoint
from carepath_intake import store
from carepath_intake.domain import Patient, PatientStatus, Screening
from carepath_intake.store import PersonalDetails
from carepath_runtime.fhir import (
    Resource,
    body_weight,
    carepath_concept,
    extension_url,
    fhir_id,
    identifier,
    instant,
    patient_id_identifier,
    patient_reference,
    quantity,
    questionnaire_response,
    reference,
    score_observation,
    vital_signs,
)

REFERRAL_STATUS = {
    PatientStatus.REFERRED: "active",
    PatientStatus.AWAITING_REVIEW: "active",
    PatientStatus.ELIGIBLE: "active",
    PatientStatus.INELIGIBLE: "revoked",
    PatientStatus.WITHDRAWN: "revoked",
}


async def read_resources(session: AsyncSession, patient_id: str) -> list[Resource] | None:
    patient = await store.patient(session, patient_id, lock=False)
    if patient is None:
        return None
    details = await store.personal_details_of(session, patient_id)
    return patient_resources(patient, details)


def patient_resources(patient: Patient, details: PersonalDetails | None) -> list[Resource]:
    screening = _screening_resources(patient) if patient.screening else []
    return [_patient(patient, details), _referral(patient, screening), *screening]


def _patient(patient: Patient, details: PersonalDetails | None) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": fhir_id(patient.patient_id),
        "extension": [
            {
                "url": extension_url("responder-role"),
                "valueCodeableConcept": carepath_concept(
                    "responder-role", patient.referral.responder_role
                ),
            }
        ],
        "identifier": [patient_id_identifier(patient.patient_id)],
    }
    if details is not None:
        resource |= {
            "name": [{"family": details.family_name, "given": [details.given_name]}],
            "telecom": [
                {"system": "phone", "value": details.phone},
                {"system": "email", "value": details.email},
            ],
            "birthDate": details.date_of_birth.isoformat(),
        }
    return resource


def _referral(patient: Patient, screening: list[Resource]) -> Resource:
    referral = patient.referral
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": fhir_id("referral", patient.patient_id),
        "extension": [
            {
                "url": extension_url("referral-source"),
                "valueCodeableConcept": carepath_concept(
                    "referral-source", referral.referral_source
                ),
            }
        ],
        "identifier": [
            identifier("external-referral-id", referral.external_referral_id),
            identifier("pathway-id", patient.pathway_id),
        ],
        "status": REFERRAL_STATUS[patient.status],
        "intent": "order",
        "code": carepath_concept("pathway", "ketamine-ptsd-pathway"),
        "subject": patient_reference(patient.patient_id),
        "authoredOn": instant(referral.received_at),
    }
    if screening:
        resource["supportingInfo"] = [reference(found) for found in screening]
    return resource


def _screening_resources(patient: Patient) -> list[Resource]:
    screening = patient.screening
    assert screening is not None
    patient_id, form = patient.patient_id, screening.form
    items = questionnaire_response(
        resource_id=fhir_id("pcl5-screening", patient_id),
        instrument=Instrument.PCL5,
        items=form.pcl5_items,
        patient_id=patient_id,
        authored=form.submitted_at,
        timepoint=Timepoint.BASELINE,
    )
    score = score_observation(
        resource_id=fhir_id("pcl5-score-screening", patient_id),
        score=screening.result.baseline_pcl5,
        patient_id=patient_id,
        effective=form.submitted_at,
        timepoint=Timepoint.BASELINE,
        derived_from=items,
    )
    found = [items, score, _outcome(patient, screening)]
    if form.weight_kg is not None:
        found.append(
            body_weight(
                form.weight_kg,
                resource_id=fhir_id("weight-screening", patient_id),
                patient_id=patient_id,
                at=form.submitted_at,
            )
        )
    if (weight := screening.result.dosing_weight) is not None:
        found.append(
            {
                "resourceType": "Observation",
                "id": fhir_id("dosing-weight", patient_id),
                "status": "final",
                "code": carepath_concept("observation", "dosing-weight"),
                "subject": patient_reference(patient_id),
                "effectiveDateTime": instant(screening.screened_at),
                "valueQuantity": quantity(weight.kg, "kg"),
                "method": carepath_concept("dosing-weight-basis", weight.basis),
            }
        )
    if form.vitals is not None:
        found += vital_signs(
            form.vitals,
            id_prefix=fhir_id("vs-screening", patient_id),
            patient_id=patient_id,
            at=form.submitted_at,
        )
    return found


def _outcome(patient: Patient, screening: Screening) -> Resource:
    """The outcome now (after any review), each reason on record as a component."""
    assert patient.outcome is not None
    return {
        "resourceType": "Observation",
        "id": fhir_id("screening-outcome", patient.patient_id),
        "status": "final" if patient.review is None else "amended",
        "code": carepath_concept("observation", "screening-outcome"),
        "subject": patient_reference(patient.patient_id),
        "effectiveDateTime": instant(screening.screened_at),
        "valueCodeableConcept": carepath_concept("screening-outcome", patient.outcome),
        "component": [
            {"code": carepath_concept("screening-reason", finding.code), "valueBoolean": True}
            for finding in patient.findings
        ],
    }

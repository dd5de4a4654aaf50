"""Follow-up's HTTP API: a patient's trajectory and what is next; clinicians' reviews."""

from fastapi import APIRouter

from carepath_contracts import ProtocolCatalogue
from carepath_followup import fhir
from carepath_followup.reviews_api import REVIEW_ACCESS, reviews_router
from carepath_followup.settings import FollowupSettings
from carepath_followup.views import PatientView, read_patient, unknown_patient
from carepath_runtime.access import AccessTable, allow
from carepath_runtime.fhir import FHIR_ROUTE, FHIR_VIEW_ROLES, fhir_router
from carepath_runtime.patient_view import PATIENT_VIEW_ROUTE, patient_view_router
from carepath_runtime.service import ServiceRuntime

ACCESS: AccessTable = {
    PATIENT_VIEW_ROUTE: allow("clinician", "integration"),
    FHIR_ROUTE: allow(*FHIR_VIEW_ROLES),
    **REVIEW_ACCESS,
}
"""Who may call which route (the runtime adds /metrics and /asyncapi)."""


def routers(
    runtime: ServiceRuntime, protocols: ProtocolCatalogue, settings: FollowupSettings
) -> list[APIRouter]:
    patient = patient_view_router(
        runtime,
        view=PatientView,
        read=read_patient,
        not_found=unknown_patient,
        tag="follow-up",
        description="The patient's follow-up: scores over time, assessments, therapy and what "
        "is next.",
    )
    patient_fhir = fhir_router(
        runtime,
        read=fhir.read_resources,
        not_found=unknown_patient,
        tag="follow-up",
        description="The follow-up CarePlan (assessments, therapy sessions, maintenance), each "
        "scored PCL-5 / IES-R submission as a QuestionnaireResponse (item numbers and scores, "
        "never item wording) and a score Observation (subscales, change, response, remission), "
        "clinical reviews as Tasks and the pathway outcome.",
    )
    return [patient, patient_fhir, reviews_router(runtime, protocols, settings)]

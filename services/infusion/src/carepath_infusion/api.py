"""Infusion's HTTP API: a patient's course, each session's state and its history."""

from functools import partial

from fastapi import APIRouter

from carepath_contracts import ProtocolCatalogue
from carepath_infusion import fhir
from carepath_infusion.settings import InfusionSettings
from carepath_infusion.views import PatientView, read_patient, unknown_patient
from carepath_runtime.access import AccessTable, allow
from carepath_runtime.fhir import FHIR_ROUTE, FHIR_VIEW_ROLES, fhir_router
from carepath_runtime.patient_view import PATIENT_VIEW_ROUTE, patient_view_router
from carepath_runtime.service import ServiceRuntime

ACCESS: AccessTable = {
    PATIENT_VIEW_ROUTE: allow("clinician", "integration"),
    FHIR_ROUTE: allow(*FHIR_VIEW_ROLES),
}
"""Who may call which route (the runtime adds /metrics and /asyncapi)."""


def routers(
    runtime: ServiceRuntime, protocols: ProtocolCatalogue, settings: InfusionSettings
) -> list[APIRouter]:
    patient = patient_view_router(
        runtime,
        view=PatientView,
        read=read_patient,
        not_found=unknown_patient,
        tag="patients",
        description="The patient's course, each session's state and its history, oldest first.",
    )
    patient_fhir = fhir_router(
        runtime,
        read=partial(fhir.read_resources, protocols=protocols),
        not_found=unknown_patient,
        tag="patients",
        description="The course (and maintenance series) as CarePlans, each session as an "
        "Appointment, each infusion given as a MedicationAdministration (dose mg, rate mg/min, "
        "duration), check-in vitals and the readings alerts were raised on as LOINC-coded "
        "Observations, safety alerts as Flags and serious adverse events as AdverseEvents.",
    )
    return [patient, patient_fhir]

"""Follow-up's HTTP API: a patient's score trajectory, assessments, therapy, what is next."""

from fastapi import APIRouter

from carepath_contracts import TreatmentProtocol
from carepath_followup.settings import FollowupSettings
from carepath_followup.views import PatientView, read_patient, unknown_patient
from carepath_runtime.patient_view import patient_view_router
from carepath_runtime.service import ServiceRuntime


def routers(
    runtime: ServiceRuntime, protocol: TreatmentProtocol, settings: FollowupSettings
) -> list[APIRouter]:
    patient = patient_view_router(
        runtime,
        view=PatientView,
        read=read_patient,
        not_found=unknown_patient,
        roles=settings.patient_view_roles,
        tag="follow-up",
        description="The patient's follow-up: scores over time, assessments, therapy and what "
        "is next.",
    )
    return [patient]

"""Infusion's HTTP API: a patient's course, each session's state and its history."""

from fastapi import APIRouter

from carepath_contracts import TreatmentProtocol
from carepath_infusion.settings import InfusionSettings
from carepath_infusion.views import PatientView, read_patient, unknown_patient
from carepath_runtime.patient_view import patient_view_router
from carepath_runtime.service import ServiceRuntime


def routers(
    runtime: ServiceRuntime, protocol: TreatmentProtocol, settings: InfusionSettings
) -> list[APIRouter]:
    patient = patient_view_router(
        runtime,
        view=PatientView,
        read=read_patient,
        not_found=unknown_patient,
        roles=settings.patient_view_roles,
        tag="patients",
        description="The patient's course, each session's state and its history, oldest first.",
    )
    return [patient]

"""`GET /v1/patients/{patient_id}/fhir`: what one service knows of a patient, as a FHIR R4
Bundle of its own resources, for clinicians only (intake's Bundle holds personal details)."""

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_runtime.fhir.resources import Resource, collection
from carepath_runtime.patient_view import PatientIdPath
from carepath_runtime.service import ServiceRuntime

FHIR_JSON = "application/fhir+json"
FHIR_VIEW_ROLES = ("clinician",)
"""Intake's Bundle carries personal details, which only clinicians see: a service serving
this route gives it the row `FHIR_ROUTE: allow(*FHIR_VIEW_ROLES)` in its access table."""
FHIR_ROUTE = "GET /v1/patients/{patient_id}/fhir"

ResourceReader = Callable[[AsyncSession, str], Awaitable[list[Resource] | None]]
"""`async def read(session, patient_id) -> resources | None` (None: patient not known here)."""


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


class BundleEntry(BaseModel):
    fullUrl: str = Field(description="The resource's URL under the Carepath FHIR base.")
    resource: dict[str, Any] = Field(description="A FHIR R4 resource.")


class FhirBundle(BaseModel):
    """A FHIR R4 Bundle (type collection) of one service's resources about one patient."""

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    timestamp: str
    entry: list[BundleEntry]


class ErrorMessage(BaseModel):
    detail: str


def _error(description: str) -> dict[str, Any]:
    """Errors are plain JSON (FastAPI's `{"detail": ...}`), not FHIR."""
    schema = ErrorMessage.model_json_schema()
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def fhir_router(
    runtime: ServiceRuntime,
    *,
    read: ResourceReader,
    not_found: Callable[[str], str],
    tag: str,
    description: str,
) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=[tag])

    @api.get(
        "/patients/{patient_id}/fhir",
        response_model=FhirBundle,
        response_class=FhirJSONResponse,
        summary="The patient as FHIR R4 resources (clinicians)",
        description=description,
        response_description="A FHIR R4 Bundle (type collection) of this service's resources.",
        # 401, 403 and 422 are the request gate's, documented by the runtime.
        responses={
            404: _error("This service does not know the patient."),
        },
    )
    async def get_patient_fhir(patient_id: PatientIdPath) -> dict[str, Any]:
        async with runtime.read_sessions() as session:
            resources = await read(session, patient_id)
        if resources is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, not_found(patient_id))
        return collection(resources, at=runtime.clock.now())

    return api

"""`GET /v1/patients/{patient_id}`: each service's view of one patient (who may read it is a
row of the service's access table)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts.values import IDENTIFIER_PATTERN
from carepath_runtime.auth import CurrentCaller
from carepath_runtime.openapi import NOT_FOUND
from carepath_runtime.service import ServiceRuntime

ViewT = TypeVar("ViewT", bound=BaseModel)

PatientIdPath = Annotated[
    str,
    Path(pattern=IDENTIFIER_PATTERN, max_length=64, description="Pseudonymous patient id."),
]

PATIENT_VIEW_ROUTE = "GET /v1/patients/{patient_id}"

PatientReader = Callable[[AsyncSession, str, str], Awaitable[ViewT | None]]
"""`async def read(session, patient_id, role) -> View | None` (None: not known here)."""


def patient_view_router(
    runtime: ServiceRuntime,
    *,
    view: type[ViewT],
    read: PatientReader[ViewT],
    not_found: Callable[[str], str],
    tag: str,
    description: str,
) -> APIRouter:
    """The route every service serves: 404 with `not_found(patient_id)` for an unknown
    patient; read on a read session, so it never waits behind the consumer's writes."""
    api = APIRouter(prefix="/v1", tags=[tag])

    @api.get(
        "/patients/{patient_id}", response_model=view, description=description, responses=NOT_FOUND
    )
    async def get_patient(patient_id: PatientIdPath, caller: CurrentCaller) -> ViewT:
        async with runtime.read_sessions() as session:
            found = await read(session, patient_id, caller.role)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, not_found(patient_id))
        return found

    return api

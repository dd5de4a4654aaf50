"""HTTP: a patient's infusion course, each session's state and its history."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel

from carepath_infusion import store
from carepath_runtime.auth import require_role
from carepath_runtime.service import ServiceRuntime

READER_ROLES = ("clinician", "integration")


class HistoryView(BaseModel):
    at: datetime
    what: str
    detail: dict[str, Any]


class SessionView(BaseModel):
    session_id: str
    session_number: int
    kind: str
    status: str
    scheduled_for: datetime
    dose_mg: float
    replaces_session_id: str | None
    dose_given_mg: float | None
    open_alert_rules: list[str]
    history: list[HistoryView]


class CourseView(BaseModel):
    course_id: str
    status: str
    status_reason: str | None
    protocol: dict[str, Any]
    dosing_weight_kg: float
    dose_mg: float
    rate_mg_per_min: float
    duration_minutes: int
    first_session_at: datetime
    window_ends_at: datetime


class PatientView(BaseModel):
    patient_id: str
    course: CourseView
    sessions: list[SessionView]


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["patients"])

    @api.get(
        "/patients/{patient_id}",
        response_model=PatientView,
        dependencies=[Depends(require_role(lambda: runtime.tokens, READER_ROLES))],
    )
    async def patient(patient_id: str) -> PatientView:
        """The patient's course, each session's state and its history, oldest first."""
        async with runtime.read_sessions() as db:
            course = await store.course_of_patient(db, patient_id)
            if course is None:
                raise HTTPException(
                    status.HTTP_404_NOT_FOUND,
                    f"patient {patient_id} has no infusion course (not screened eligible yet, "
                    "or unknown)",
                )
            sessions = await store.sessions_of_course(db, course.course_id)
            history = await store.history_of_patient(db, patient_id)
        return PatientView(
            patient_id=patient_id,
            course=CourseView(
                course_id=course.course_id,
                status=course.status.value,
                status_reason=course.status_reason,
                protocol=course.protocol.model_dump(),
                dosing_weight_kg=course.dosing_weight_kg,
                dose_mg=course.dose.mg,
                rate_mg_per_min=course.dose.rate_mg_per_min,
                duration_minutes=course.dose.minutes,
                first_session_at=course.first_session_at,
                window_ends_at=course.window_ends_at,
            ),
            sessions=[
                SessionView(
                    session_id=session.session_id,
                    session_number=session.session_number,
                    kind=session.kind.value,
                    status=session.status.value,
                    scheduled_for=session.scheduled_for,
                    dose_mg=session.dose_mg,
                    replaces_session_id=session.replaces_session_id,
                    dose_given_mg=session.dose_given_mg,
                    open_alert_rules=sorted(session.open_alert_rules),
                    history=[
                        HistoryView(at=entry.at, what=entry.what, detail=entry.detail)
                        for entry in history
                        if entry.session_id == session.session_id
                    ],
                )
                for session in sessions
            ],
        )

    return api

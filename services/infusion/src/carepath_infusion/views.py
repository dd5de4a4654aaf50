"""What infusion's HTTP API answers: a patient's course, each session's state and history."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_infusion import store


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


async def read_patient(session: AsyncSession, patient_id: str, role: str) -> PatientView | None:
    """The patient's course, each session's state and its history, oldest first."""
    course = await store.course_of_patient(session, patient_id)
    if course is None:
        return None
    sessions = await store.sessions_of_course(session, course.course_id)
    history = await store.history_of_patient(session, patient_id)
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
                session_id=booked.session_id,
                session_number=booked.session_number,
                kind=booked.kind.value,
                status=booked.status.value,
                scheduled_for=booked.scheduled_for,
                dose_mg=booked.dose_mg,
                replaces_session_id=booked.replaces_session_id,
                dose_given_mg=booked.dose_given_mg,
                open_alert_rules=sorted(booked.open_alert_rules),
                history=[
                    HistoryView(at=entry.at, what=entry.what, detail=entry.detail)
                    for entry in history
                    if entry.session_id == booked.session_id
                ],
            )
            for booked in sessions
        ],
    )


def unknown_patient(patient_id: str) -> str:
    return f"patient {patient_id} has no infusion course (not screened eligible yet, or unknown)"

"""Infusion's domain values to table rows and back."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from carepath_contracts import ProtocolRef, SessionKind, Vitals
from carepath_infusion.domain.model import (
    Course,
    CourseStatus,
    Dose,
    Session,
    SessionStatus,
)


def course_row(course: Course, *, at: datetime) -> dict[str, Any]:
    return {
        "patient_id": course.patient_id,
        "correlation_id": course.correlation_id,
        "status": course.status.value,
        "status_reason": course.status_reason,
        "protocol_id": course.protocol.id,
        "protocol_version": course.protocol.version,
        "dosing_weight_kg": course.dosing_weight_kg,
        "dose_mg": course.dose.mg,
        "rate_mg_per_min": course.dose.rate_mg_per_min,
        "duration_minutes": course.dose.minutes,
        "first_session_at": course.first_session_at,
        "window_ends_at": course.window_ends_at,
        "planned_at": course.planned_at,
        "updated_at": at,
    }


def session_row(session: Session, *, at: datetime) -> dict[str, Any]:
    return {
        "course_id": session.course_id,
        "patient_id": session.patient_id,
        "session_number": session.session_number,
        "kind": session.kind.value,
        "status": session.status.value,
        "scheduled_for": session.scheduled_for,
        "dose_mg": session.dose_mg,
        "replaces_session_id": session.replaces_session_id,
        "baseline_vitals": (
            None if session.baseline_vitals is None else session.baseline_vitals.model_dump()
        ),
        "checked_in_at": session.checked_in_at,
        "ended_at": session.ended_at,
        "dose_given_mg": session.dose_given_mg,
        "serious_adverse_event": session.serious_adverse_event,
        "discharged_at": session.discharged_at,
        "open_alert_rules": alert_rules_column(session.open_alert_rules),
        "updated_at": at,
    }


def course(row: Any) -> Course:
    return Course(
        course_id=row["course_id"],
        patient_id=row["patient_id"],
        correlation_id=row["correlation_id"],
        status=CourseStatus(row["status"]),
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
        dosing_weight_kg=row["dosing_weight_kg"],
        dose=Dose(row["dose_mg"], row["rate_mg_per_min"], row["duration_minutes"]),
        first_session_at=row["first_session_at"],
        window_ends_at=row["window_ends_at"],
        planned_at=row["planned_at"],
        status_reason=row["status_reason"],
    )


def session(row: Any) -> Session:
    vitals = row["baseline_vitals"]
    return Session(
        session_id=row["session_id"],
        course_id=row["course_id"],
        patient_id=row["patient_id"],
        session_number=row["session_number"],
        kind=SessionKind(row["kind"]),
        status=SessionStatus(row["status"]),
        scheduled_for=row["scheduled_for"],
        dose_mg=row["dose_mg"],
        replaces_session_id=row["replaces_session_id"],
        baseline_vitals=None if vitals is None else Vitals.model_validate(vitals),
        checked_in_at=row["checked_in_at"],
        ended_at=row["ended_at"],
        dose_given_mg=row["dose_given_mg"],
        serious_adverse_event=row["serious_adverse_event"],
        discharged_at=row["discharged_at"],
        open_alert_rules=alert_rules(row["open_alert_rules"]),
    )


def alert_rules(stored: str) -> frozenset[str]:
    return frozenset(rule for rule in stored.split(",") if rule)


def alert_rules_column(rules: Iterable[str]) -> str:
    """Comma-separated and sorted: read back with the status in one lookup."""
    return ",".join(sorted(rules))

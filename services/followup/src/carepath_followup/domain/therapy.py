"""Trauma-focused psychotherapy after each infusion: booking inside the window, attendance."""

from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import SessionCompleted, TherapySessionScheduled, TreatmentProtocol
from carepath_followup.domain.model import (
    PathwayRuleError,
    TherapySession,
    TherapyStatus,
    therapy_session_id_for,
)


def book_therapy(
    patient_id: str,
    infusion: SessionCompleted,
    protocol: TreatmentProtocol,
    booking_offset_hours: float,
) -> TherapySession:
    """Book at the earliest time the protocol allows plus the operator's offset, never later
    than the protocol's latest time (the therapy scheduler confirms the exact slot)."""
    window = protocol.therapy
    earliest = infusion.completed_at + timedelta(hours=window.earliest_hours_after_infusion)
    latest = infusion.completed_at + timedelta(hours=window.latest_hours_after_infusion)
    return TherapySession(
        therapy_session_id=therapy_session_id_for(infusion.session_id),
        patient_id=patient_id,
        after_infusion_session_id=infusion.session_id,
        modality=window.default_modality,
        earliest_at=earliest,
        latest_at=latest,
        scheduled_for=min(earliest + timedelta(hours=booking_offset_hours), latest),
    )


def therapy_scheduled(
    therapy: TherapySession, protocol: TreatmentProtocol
) -> TherapySessionScheduled:
    return TherapySessionScheduled(
        therapy_session_id=therapy.therapy_session_id,
        after_infusion_session_id=therapy.after_infusion_session_id,
        modality=therapy.modality,
        earliest_at=therapy.earliest_at,
        latest_at=therapy.latest_at,
        scheduled_for=therapy.scheduled_for,
        protocol=protocol.ref,
    )


def attendance_recorded(
    therapy: TherapySession, patient_id: str, status: TherapyStatus, at: datetime
) -> TherapySession | None:
    """The session with its attendance, or None when that exact outcome is already recorded.

    A session reported attended and then missed (or the reverse) contradicts itself: refused,
    so that a person looks at it rather than the last report silently winning.
    """
    if therapy.patient_id != patient_id:
        raise PathwayRuleError(
            f"therapy session {therapy.therapy_session_id} belongs to another patient"
        )
    if therapy.status is status:
        return None
    if therapy.status is not TherapyStatus.SCHEDULED:
        raise PathwayRuleError(
            f"therapy session {therapy.therapy_session_id} is already recorded as "
            f"{therapy.status} at {therapy.status_at.isoformat() if therapy.status_at else '?'}; "
            f"it cannot also be {status}"
        )
    return replace(therapy, status=status, status_at=at)

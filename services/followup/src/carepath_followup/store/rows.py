"""Domain values to table rows and back."""

from collections.abc import Mapping
from typing import Any

from carepath_contracts import (
    IesrScore,
    Instrument,
    MaintenanceReason,
    Pcl5Score,
    ProtocolRef,
    TherapyModality,
    Timepoint,
)
from carepath_followup.domain import (
    Assessment,
    AssessmentStatus,
    Pathway,
    PathwayStatus,
    ScoredAssessment,
    TherapySession,
    TherapyStatus,
)


def pathway_row(value: Pathway) -> dict[str, Any]:
    return {
        "pathway_id": value.pathway_id,
        "protocol_id": value.protocol.id,
        "protocol_version": value.protocol.version,
        "baseline": value.baseline.model_dump(mode="json"),
        "screened_at": value.screened_at,
        "status": value.status,
        "first_infusion_at": value.first_infusion_at,
        "last_infusion_at": value.last_infusion_at,
        "course_id": value.course_id,
        "course_completed_at": value.course_completed_at,
        "maintenance_interval_days": value.maintenance_interval_days,
        "maintenance_reason": value.maintenance_reason,
        "closed_at": value.closed_at,
    }


def pathway(row: Mapping[str, Any]) -> Pathway:
    reason = row["maintenance_reason"]
    return Pathway(
        patient_id=row["patient_id"],
        pathway_id=row["pathway_id"],
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
        baseline=Pcl5Score.model_validate(row["baseline"]),
        screened_at=row["screened_at"],
        status=PathwayStatus(row["status"]),
        first_infusion_at=row["first_infusion_at"],
        last_infusion_at=row["last_infusion_at"],
        course_id=row["course_id"],
        course_completed_at=row["course_completed_at"],
        maintenance_interval_days=row["maintenance_interval_days"],
        maintenance_reason=MaintenanceReason(reason) if reason else None,
        closed_at=row["closed_at"],
    )


def assessment_row(value: Assessment) -> dict[str, Any]:
    return {
        "patient_id": value.patient_id,
        "timepoint": value.timepoint,
        "instruments": list(value.instruments),
        "due_at": value.due_at,
        "overdue_at": value.overdue_at,
        "status": value.status,
        "submitted_instruments": list(value.submitted_instruments),
        "submitted_at": value.submitted_at,
    }


def assessment(row: Mapping[str, Any]) -> Assessment:
    return Assessment(
        assessment_id=row["assessment_id"],
        patient_id=row["patient_id"],
        timepoint=Timepoint(row["timepoint"]),
        instruments=tuple(Instrument(name) for name in row["instruments"]),
        due_at=row["due_at"],
        overdue_at=row["overdue_at"],
        status=AssessmentStatus(row["status"]),
        submitted_instruments=tuple(Instrument(name) for name in row["submitted_instruments"]),
        submitted_at=row["submitted_at"],
    )


def scored(row: Mapping[str, Any]) -> ScoredAssessment:
    instrument = Instrument(row["instrument"])
    model = Pcl5Score if instrument is Instrument.PCL5 else IesrScore
    return ScoredAssessment(
        event_id=row["event_id"],
        patient_id=row["patient_id"],
        assessment_id=row["assessment_id"],
        timepoint=Timepoint(row["timepoint"]) if row["timepoint"] else None,
        instrument=instrument,
        score=model.model_validate(row["score"]),
        submitted_at=row["submitted_at"],
        change_from_baseline=row["change_from_baseline"],
        change_from_previous=row["change_from_previous"],
        response=row["response"],
        remission=row["remission"],
    )


def therapy_row(value: TherapySession) -> dict[str, Any]:
    return {
        "therapy_session_id": value.therapy_session_id,
        "patient_id": value.patient_id,
        "after_infusion_session_id": value.after_infusion_session_id,
        "modality": value.modality,
        "earliest_at": value.earliest_at,
        "latest_at": value.latest_at,
        "scheduled_for": value.scheduled_for,
        "status": value.status,
        "status_at": value.status_at,
    }


def therapy(row: Mapping[str, Any]) -> TherapySession:
    return TherapySession(
        therapy_session_id=row["therapy_session_id"],
        patient_id=row["patient_id"],
        after_infusion_session_id=row["after_infusion_session_id"],
        modality=TherapyModality(row["modality"]),
        earliest_at=row["earliest_at"],
        latest_at=row["latest_at"],
        scheduled_for=row["scheduled_for"],
        status=TherapyStatus(row["status"]),
        status_at=row["status_at"],
    )

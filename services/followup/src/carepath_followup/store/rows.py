"""Domain values to table rows and back."""

from collections.abc import Mapping
from typing import Any

from carepath_contracts import (
    IesrScore,
    Instrument,
    MaintenanceReason,
    Pcl5Score,
    ProtocolRef,
    ReviewEvidence,
    ReviewOutcome,
    ReviewTrigger,
    TherapyModality,
    Timepoint,
    Urgency,
)
from carepath_followup.domain import (
    Assessment,
    AssessmentStatus,
    Pathway,
    PathwayStatus,
    Review,
    ReviewStatus,
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
        "maintenance_series_length": value.maintenance_series_length,
        "maintenance_given": value.maintenance_given,
        "course_suspended_at": value.course_suspended_at,
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
        maintenance_series_length=row["maintenance_series_length"],
        maintenance_given=row["maintenance_given"],
        course_suspended_at=row["course_suspended_at"],
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
        items=tuple(row["items"] or ()),
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


def review_row(value: Review) -> dict[str, Any]:
    return {
        "review_id": value.review_id,
        "patient_id": value.patient_id,
        "pathway_id": value.pathway_id,
        "reason": value.reason,
        "status": value.status,
        "urgency": value.urgency,
        "respond_by": value.respond_by,
        "opened_at": value.opened_at,
        "evidence": [item.model_dump(mode="json") for item in value.evidence],
        "protocol_id": value.protocol.id,
        "protocol_version": value.protocol.version,
        "course_id": value.course_id,
        "session_id": value.session_id,
        "overdue_count": value.overdue_count,
        "outcome": value.outcome,
        "maintenance_interval_days": value.maintenance_interval_days,
        "decided_by": value.decided_by,
        "decided_at": value.decided_at,
        "resolved_at": value.resolved_at,
    }


def review(row: Mapping[str, Any]) -> Review:
    outcome = row["outcome"]
    return Review(
        review_id=row["review_id"],
        patient_id=row["patient_id"],
        pathway_id=row["pathway_id"],
        reason=ReviewTrigger(row["reason"]),
        urgency=Urgency(row["urgency"]),
        respond_by=row["respond_by"],
        opened_at=row["opened_at"],
        evidence=tuple(ReviewEvidence.model_validate(item) for item in row["evidence"]),
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
        course_id=row["course_id"],
        session_id=row["session_id"],
        status=ReviewStatus(row["status"]),
        overdue_count=row["overdue_count"],
        outcome=ReviewOutcome(outcome) if outcome else None,
        maintenance_interval_days=row["maintenance_interval_days"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        resolved_at=row["resolved_at"],
    )

"""What follow-up's HTTP API answers: score trajectory, assessments, therapy, what is next."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import (
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
from carepath_followup import domain, store
from carepath_followup.store import reviews as review_store
from carepath_runtime.timers import Timer, pending_timers


class ScorePoint(BaseModel):
    assessment_id: str | None
    timepoint: Timepoint | None
    instrument: Instrument
    total: int
    change_from_baseline: int | None
    change_from_previous: int | None
    response: bool | None
    remission: bool | None
    submitted_at: datetime


class AssessmentView(BaseModel):
    assessment_id: str
    timepoint: Timepoint
    instruments: list[Instrument]
    due_at: datetime
    overdue_at: datetime
    status: domain.AssessmentStatus
    submitted_at: datetime | None


class TherapyView(BaseModel):
    therapy_session_id: str
    after_infusion_session_id: str
    modality: TherapyModality
    earliest_at: datetime
    latest_at: datetime
    scheduled_for: datetime
    status: domain.TherapyStatus
    status_at: datetime | None


class UpcomingItem(BaseModel):
    kind: str
    at: datetime
    assessment_id: str | None = None
    timepoint: Timepoint | None = None
    therapy_session_id: str | None = None
    review_id: str | None = None


class ReviewView(BaseModel):
    """A clinical review as a clinician sees it: why, how urgent, the coded evidence."""

    review_id: str
    patient_id: str
    pathway_id: str
    reason: ReviewTrigger
    status: domain.ReviewStatus
    urgency: Urgency
    respond_by: datetime
    opened_at: datetime
    overdue_count: int
    evidence: list[ReviewEvidence]
    course_id: str | None
    session_id: str | None
    protocol: ProtocolRef
    outcome: ReviewOutcome | None
    maintenance_interval_days: int | None
    decided_by: str | None
    decided_at: datetime | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, review: domain.Review) -> "ReviewView":
        return cls(**_fields(review, cls))


class DecisionView(BaseModel):
    event_type: str
    decided_at: datetime
    data: dict[str, Any]


class PatientView(BaseModel):
    patient_id: str
    pathway_id: str
    status: domain.PathwayStatus
    protocol: ProtocolRef
    baseline: Pcl5Score
    screened_at: datetime
    first_infusion_at: datetime | None
    last_infusion_at: datetime | None
    course_completed_at: datetime | None
    maintenance_interval_days: int | None
    maintenance_reason: MaintenanceReason | None
    maintenance_series_length: int | None
    maintenance_given: int
    course_suspended_at: datetime | None
    trajectory: list[ScorePoint]
    assessments: list[AssessmentView]
    therapy_sessions: list[TherapyView]
    upcoming: list[UpcomingItem]
    decisions: list[DecisionView]
    reviews: list[ReviewView]


async def read_patient(session: AsyncSession, patient_id: str, role: str) -> PatientView | None:
    """The patient's follow-up: scores over time, assessments, therapy and what is next."""
    pathway = await store.pathway(session, patient_id)
    if pathway is None:
        return None
    scores = await store.patient_scores(session, patient_id)
    assessments = await store.patient_assessments(session, patient_id)
    therapy = await store.patient_therapy_sessions(session, patient_id)
    timers = await pending_timers(session, patient_id)
    decisions = await store.patient_decisions(session, patient_id)
    reviews = await review_store.patient_reviews(session, patient_id)
    return PatientView(
        patient_id=pathway.patient_id,
        pathway_id=pathway.pathway_id,
        status=pathway.status,
        protocol=pathway.protocol,
        baseline=pathway.baseline,
        screened_at=pathway.screened_at,
        first_infusion_at=pathway.first_infusion_at,
        last_infusion_at=pathway.last_infusion_at,
        course_completed_at=pathway.course_completed_at,
        maintenance_interval_days=pathway.maintenance_interval_days,
        maintenance_reason=pathway.maintenance_reason,
        maintenance_series_length=pathway.maintenance_series_length,
        maintenance_given=pathway.maintenance_given,
        course_suspended_at=pathway.course_suspended_at,
        trajectory=[_score_point(scored) for scored in scores],
        assessments=[AssessmentView(**_fields(item, AssessmentView)) for item in assessments],
        therapy_sessions=[TherapyView(**_fields(item, TherapyView)) for item in therapy],
        upcoming=_upcoming(pathway, timers, therapy),
        decisions=[DecisionView(**decision) for decision in decisions],
        reviews=[ReviewView.of(review) for review in reviews],
    )


def unknown_patient(patient_id: str) -> str:
    return (
        f"no follow-up pathway for patient {patient_id}: follow-up has seen no final, "
        "eligible screening for this id"
    )


def _score_point(scored: domain.ScoredAssessment) -> ScorePoint:
    return ScorePoint(total=scored.total, **_fields(scored, ScorePoint, skip={"total"}))


def _fields(value: object, model: type[BaseModel], skip: frozenset[str] | set[str] = frozenset()):
    return {name: getattr(value, name) for name in model.model_fields if name not in skip}


def _upcoming(
    pathway: domain.Pathway, timers: list[Timer], therapy: list[domain.TherapySession]
) -> list[UpcomingItem]:
    """Pending assessment timers and booked therapy sessions not yet reported, soonest first.

    A closed pathway lists no therapy: its bookings will not be followed up.
    """
    items = [
        UpcomingItem(
            kind=timer.kind,
            at=timer.due_at,
            assessment_id=timer.payload.get("assessment_id"),
            timepoint=timer.payload.get("timepoint"),
            review_id=timer.payload.get("review_id"),
        )
        for timer in timers
    ]
    items += [
        UpcomingItem(
            kind="therapy-session",
            at=session.scheduled_for,
            therapy_session_id=session.therapy_session_id,
        )
        for session in therapy
        if session.status is domain.TherapyStatus.SCHEDULED
        and pathway.status is domain.PathwayStatus.ACTIVE
    ]
    return sorted(items, key=lambda item: item.at)

"""What the infusion course means for follow-up: schedule anchors and therapy."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from carepath_contracts import (
    CourseCompleted,
    CourseSuspended,
    EventData,
    ScheduleAnchor,
    SessionCompleted,
    SessionKind,
    TreatmentProtocol,
)
from carepath_followup.domain.maintenance import maintenance_infusion_given
from carepath_followup.domain.model import (
    Assessment,
    ClinicalDecision,
    Pathway,
    PathwayStatus,
    ScoredAssessment,
    TherapySession,
    require_active,
)
from carepath_followup.domain.schedule import assessments_anchored
from carepath_followup.domain.therapy import book_therapy, therapy_scheduled


@dataclass(frozen=True)
class InfusionOutcome:
    """The pathway after an infusion fact, and what it schedules, books, emits and decides."""

    pathway: Pathway
    assessments: list[Assessment] = field(default_factory=list)
    therapy: TherapySession | None = None
    events: list[EventData] = field(default_factory=list)
    decisions: list[ClinicalDecision] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.pathway.status is PathwayStatus.COMPLETED


def infusion_completed(
    pathway: Pathway,
    infusion: SessionCompleted,
    protocol: TreatmentProtocol,
    *,
    therapy_already_booked: bool,
    booking_offset_hours: float,
    now: datetime,
    scores: Sequence[ScoredAssessment] = (),
) -> InfusionOutcome:
    """Book therapy after every infusion; the first and the last induction infusion anchor
    the assessment schedule; a maintenance infusion counts in its series. A repeated report
    of the same infusion changes nothing (its therapy is already booked)."""
    require_active(pathway, f"session-completed for session {infusion.session_id}")
    updated = replace(pathway, course_id=pathway.course_id or infusion.course_id)
    assessments: list[Assessment] = []
    if infusion.kind is SessionKind.INDUCTION and updated.first_infusion_at is None:
        updated = replace(updated, first_infusion_at=infusion.completed_at)
        assessments += assessments_anchored(
            updated, ScheduleAnchor.FIRST_INFUSION, infusion.completed_at, protocol
        )
    if infusion.kind is SessionKind.INDUCTION and infusion.is_last_induction_session:
        updated, anchored = _course_ended(updated, infusion.completed_at, protocol)
        assessments += anchored
    therapy = None
    if not therapy_already_booked:
        therapy = book_therapy(pathway.patient_id, infusion, protocol, booking_offset_hours)
    updated, decisions = maintenance_infusion_given(
        updated, infusion, scores, protocol, repeated=therapy_already_booked
    )
    return InfusionOutcome(
        pathway=updated,
        assessments=assessments,
        therapy=therapy,
        events=[therapy_scheduled(therapy, protocol)] if therapy else [],
        decisions=decisions,
    )


def course_completed(
    pathway: Pathway, course: CourseCompleted, protocol: TreatmentProtocol
) -> InfusionOutcome:
    """Records the end of the course; anchors the schedule here only if the last infusion
    was never reported as such (the last session-completed is the anchor of choice)."""
    require_active(pathway, f"course-completed for course {course.course_id}")
    updated = replace(
        pathway,
        course_id=pathway.course_id or course.course_id,
        course_completed_at=pathway.course_completed_at or course.completed_at,
    )
    updated, anchored = _course_ended(updated, course.completed_at, protocol)
    return InfusionOutcome(pathway=updated, assessments=anchored)


def course_suspended(pathway: Pathway, suspended: CourseSuspended) -> Pathway:
    """The course is on hold until a review resumes it (or ends the pathway)."""
    return replace(pathway, course_suspended_at=suspended.suspended_at)


def _course_ended(
    pathway: Pathway, last_infusion_at: datetime, protocol: TreatmentProtocol
) -> tuple[Pathway, list[Assessment]]:
    if pathway.last_infusion_at is not None:
        return pathway, []
    updated = replace(pathway, last_infusion_at=last_infusion_at)
    return updated, assessments_anchored(
        updated, ScheduleAnchor.LAST_INFUSION, last_infusion_at, protocol
    )

"""What the infusion course means for follow-up: schedule anchors, therapy, safety reviews."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from carepath_contracts import (
    ClinicalReviewRequired,
    CourseCompleted,
    CourseSuspended,
    EventData,
    ReviewTrigger,
    SafetyAction,
    SafetyAlert,
    ScheduleAnchor,
    SessionCompleted,
    SessionKind,
    SuspensionReason,
    TreatmentProtocol,
    Urgency,
)
from carepath_followup.domain.model import (
    Assessment,
    ClinicalDecision,
    Pathway,
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


def infusion_completed(
    pathway: Pathway,
    infusion: SessionCompleted,
    protocol: TreatmentProtocol,
    *,
    therapy_already_booked: bool,
    booking_offset_hours: float,
    now: datetime,
) -> InfusionOutcome:
    """Book therapy after every infusion; the first and the last induction infusion anchor
    the assessment schedule. A repeated report of the same infusion changes nothing."""
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
    decisions = []
    if infusion.serious_adverse_event:
        decisions.append(
            safety_review(
                protocol, now, session_id=infusion.session_id, course_id=infusion.course_id
            )
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


def suspension_review(
    course: CourseSuspended, protocol: TreatmentProtocol, now: datetime
) -> ClinicalDecision:
    """A suspended course always needs review; urgently when a serious adverse event caused it."""
    urgent = course.reason_code is SuspensionReason.SERIOUS_ADVERSE_EVENT
    return ClinicalDecision(
        key=f"course-suspended:{course.course_id}:{course.suspended_at.isoformat()}",
        data=ClinicalReviewRequired(
            reason_code=ReviewTrigger.COURSE_SUSPENDED,
            urgency=Urgency.URGENT if urgent else Urgency.ROUTINE,
            course_id=course.course_id,
            session_id=course.session_id,
            required_at=now,
            protocol=protocol.ref,
        ),
    )


def safety_alert_review(
    alert: SafetyAlert,
    protocol: TreatmentProtocol,
    now: datetime,
    serious_actions: frozenset[SafetyAction],
) -> ClinicalDecision | None:
    """An alert whose action is serious asks for review; the others stay with the clinic."""
    if alert.action not in serious_actions:
        return None
    return safety_review(protocol, now, session_id=alert.session_id)


def safety_review(
    protocol: TreatmentProtocol, now: datetime, *, session_id: str, course_id: str | None = None
) -> ClinicalDecision:
    """One urgent review per infusion session, however many serious signals it produced."""
    return ClinicalDecision(
        key=f"safety:{session_id}",
        data=ClinicalReviewRequired(
            reason_code=ReviewTrigger.SAFETY_EVENT,
            urgency=Urgency.URGENT,
            course_id=course_id,
            session_id=session_id,
            required_at=now,
            protocol=protocol.ref,
        ),
    )


def _course_ended(
    pathway: Pathway, last_infusion_at: datetime, protocol: TreatmentProtocol
) -> tuple[Pathway, list[Assessment]]:
    if pathway.last_infusion_at is not None:
        return pathway, []
    updated = replace(pathway, last_infusion_at=last_infusion_at)
    return updated, assessments_anchored(
        updated, ScheduleAnchor.LAST_INFUSION, last_infusion_at, protocol
    )

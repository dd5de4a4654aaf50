"""When assessments fall due and become overdue, counted from the protocol's anchors."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from carepath_contracts import (
    AssessmentDue,
    AssessmentOverdue,
    EventData,
    ScheduleAnchor,
    Timepoint,
    TreatmentProtocol,
)
from carepath_followup.domain.model import (
    Assessment,
    AssessmentStatus,
    Pathway,
    PathwayStatus,
    TimerKind,
    assessment_id_for,
)
from carepath_runtime.timer_requests import TimerRequest

_ANCHOR_ORDER = (
    ScheduleAnchor.SCREENING,
    ScheduleAnchor.FIRST_INFUSION,
    ScheduleAnchor.LAST_INFUSION,
)


@dataclass(frozen=True)
class TimerOutcome:
    """What a fired assessment timer changes: the assessment, and the event to emit."""

    assessment: Assessment
    events: list[EventData] = field(default_factory=list)


def assessments_anchored(
    pathway: Pathway, anchor: ScheduleAnchor, anchored_at: datetime, protocol: TreatmentProtocol
) -> list[Assessment]:
    """The timepoints counted from `anchor`; the baseline comes from screening, never asked."""
    overdue_after = timedelta(hours=protocol.assessments.overdue_after_hours)
    assessments = []
    for entry in protocol.assessments.schedule:
        if entry.anchor is not anchor or entry.timepoint is Timepoint.BASELINE:
            continue
        due_at = anchored_at + timedelta(hours=entry.offset_hours)
        assessments.append(
            Assessment(
                assessment_id=assessment_id_for(pathway.patient_id, entry.timepoint),
                patient_id=pathway.patient_id,
                timepoint=entry.timepoint,
                instruments=tuple(entry.instruments),
                due_at=due_at,
                overdue_at=due_at + overdue_after,
            )
        )
    return assessments


def closing_timepoint(protocol: TreatmentProtocol) -> Timepoint:
    """The last timepoint of the schedule (week 12 by default): the pathway can end there."""
    last = max(
        protocol.assessments.schedule,
        key=lambda entry: (_ANCHOR_ORDER.index(entry.anchor), entry.offset_hours),
    )
    return last.timepoint


def assessment_timers(assessment: Assessment) -> list[TimerRequest]:
    """Both timers are set at once: set from the due timer, the overdue one could fire after
    later due timers when the clock jumps ahead (the scheduler fires a batch at a time)."""
    return [due_timer(assessment), overdue_timer(assessment)]


def due_timer(assessment: Assessment) -> TimerRequest:
    return TimerRequest(
        key=assessment.due_timer_key,
        kind=TimerKind.ASSESSMENT_DUE,
        due_at=assessment.due_at,
        payload=_timer_payload(assessment),
    )


def overdue_timer(assessment: Assessment) -> TimerRequest:
    return TimerRequest(
        key=assessment.overdue_timer_key,
        kind=TimerKind.ASSESSMENT_OVERDUE,
        due_at=assessment.overdue_at,
        payload=_timer_payload(assessment),
    )


def assessment_fell_due(
    pathway: Pathway, assessment: Assessment, protocol: TreatmentProtocol
) -> TimerOutcome:
    """Ask for the assessment, unless it is already settled."""
    if pathway.status is not PathwayStatus.ACTIVE or assessment.status is not (
        AssessmentStatus.SCHEDULED
    ):
        return TimerOutcome(assessment)
    due = AssessmentDue(
        assessment_id=assessment.assessment_id,
        timepoint=assessment.timepoint,
        instruments=list(assessment.instruments),
        due_at=assessment.due_at,
        protocol=protocol.ref,
    )
    return TimerOutcome(replace(assessment, status=AssessmentStatus.DUE), [due])


def assessment_went_overdue(
    pathway: Pathway, assessment: Assessment, protocol: TreatmentProtocol
) -> TimerOutcome:
    """Report the assessment overdue if it is still not (fully) submitted."""
    still_open = assessment.status in {AssessmentStatus.SCHEDULED, AssessmentStatus.DUE}
    if pathway.status is not PathwayStatus.ACTIVE or not still_open:
        return TimerOutcome(assessment)
    overdue = AssessmentOverdue(
        assessment_id=assessment.assessment_id,
        timepoint=assessment.timepoint,
        due_at=assessment.due_at,
        overdue_at=assessment.overdue_at,
        protocol=protocol.ref,
    )
    return TimerOutcome(replace(assessment, status=AssessmentStatus.OVERDUE), [overdue])


def _timer_payload(assessment: Assessment) -> dict[str, str]:
    return {"assessment_id": assessment.assessment_id, "timepoint": assessment.timepoint.value}

"""Follow-up events: questionnaires and therapy attendance in, scores and decisions out."""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from carepath_contracts.codes import (
    Instrument,
    ReviewTrigger,
    TherapyModality,
    Timepoint,
    Urgency,
)
from carepath_contracts.envelope import EventData
from carepath_contracts.instruments import ITEM_COUNTS, IesrScore, Pcl5Score, item_count_problem
from carepath_contracts.protocol import ProtocolRef
from carepath_contracts.values import (
    AssessmentId,
    CourseId,
    ItemScore,
    SessionId,
    TherapySessionId,
    UtcDatetime,
    ValueModel,
)

ScoreChange = Annotated[
    int,
    Field(ge=-88, le=88, description="Current total minus the earlier total; negative is better."),
]


class MaintenanceReason(StrEnum):
    """What the maintenance recommendation rests on."""

    PLATEAU = "plateau"
    RISING_AFTER_RESPONSE = "rising_after_response"
    CLINICAL_REVIEW = "clinical_review"  # a clinician started or changed the series
    SERIES_CONTINUES = "series_continues"  # the next infusion of a running series


class PathwayOutcome(StrEnum):
    """Where the patient ended the pathway, by the decision instrument."""

    REMISSION = "remission"
    RESPONSE = "response"
    RELAPSE = "relapse"  # responded after the course, lost the response by the end
    NO_RESPONSE = "no_response"


class PathwayEnd(StrEnum):
    """What ended the pathway: its schedule, its maintenance series, or a clinician."""

    SCHEDULE_COMPLETED = "schedule_completed"
    MAINTENANCE_SERIES_COMPLETED = "maintenance_series_completed"
    DISCHARGED_AT_REVIEW = "discharged_at_review"
    REFERRED_OUT = "referred_out"


class ScoreEvidence(ValueModel):
    """A scored assessment a decision rests on."""

    assessment_id: AssessmentId | None = None
    timepoint: Timepoint | None = Field(default=None, description="None when unscheduled.")
    instrument: Instrument
    total: Annotated[int, Field(ge=0, le=88)]
    submitted_at: UtcDatetime


_ITEM_COUNT_BY_INSTRUMENT = [
    {
        "if": {"properties": {"instrument": {"const": instrument.value}}},
        "then": {"properties": {"items": {"minItems": count, "maxItems": count}}},
    }
    for instrument, count in ITEM_COUNTS.items()
]

Evidence = Annotated[list[ScoreEvidence], Field(max_length=20)]


class AssessmentSubmitted(EventData):
    """The patient app sent questionnaire responses; without an assessment_id it is unscheduled."""

    event_type = "carepath.followup.assessment-submitted.v1"
    model_config = ConfigDict(json_schema_extra={"allOf": _ITEM_COUNT_BY_INSTRUMENT})

    assessment_id: AssessmentId | None = None
    instrument: Instrument
    items: list[ItemScore] = Field(
        description="Responses in item order, item 1 first: 20 for PCL-5, 22 for IES-R.",
        json_schema_extra={
            "minItems": min(ITEM_COUNTS.values()),
            "maxItems": max(ITEM_COUNTS.values()),
        },
    )
    submitted_at: UtcDatetime

    @field_validator("items")
    @classmethod
    def _item_count_fits_instrument(cls, items: list[int], info: ValidationInfo) -> list[int]:
        instrument = info.data.get("instrument")
        problem = item_count_problem(instrument, items) if instrument else None
        if problem:
            raise ValueError(problem)
        return items


class TherapySessionAttended(EventData):
    """The therapy scheduler reports an attended psychotherapy session."""

    event_type = "carepath.followup.therapy-session-attended.v1"

    therapy_session_id: TherapySessionId
    attended_at: UtcDatetime


class TherapySessionMissed(EventData):
    """The therapy scheduler reports a missed psychotherapy session."""

    event_type = "carepath.followup.therapy-session-missed.v1"

    therapy_session_id: TherapySessionId
    missed_at: UtcDatetime


class TherapySessionScheduled(EventData):
    """A trauma-focused session was booked inside the window after an infusion."""

    event_type = "carepath.followup.therapy-session-scheduled.v1"

    therapy_session_id: TherapySessionId
    after_infusion_session_id: SessionId
    modality: TherapyModality
    earliest_at: UtcDatetime
    latest_at: UtcDatetime
    scheduled_for: UtcDatetime
    protocol: ProtocolRef


class AssessmentDue(EventData):
    """An assessment fell due; the patient app should ask for it."""

    event_type = "carepath.followup.assessment-due.v1"

    assessment_id: AssessmentId
    timepoint: Timepoint
    instruments: Annotated[list[Instrument], Field(min_length=1, max_length=2)]
    due_at: UtcDatetime
    protocol: ProtocolRef


class AssessmentOverdue(EventData):
    """A due assessment was not submitted in time."""

    event_type = "carepath.followup.assessment-overdue.v1"

    assessment_id: AssessmentId
    timepoint: Timepoint
    due_at: UtcDatetime
    overdue_at: UtcDatetime
    protocol: ProtocolRef


class AssessmentScored(EventData):
    """A submitted questionnaire was scored and compared with baseline and the previous score."""

    event_type = "carepath.followup.assessment-scored.v1"

    assessment_id: AssessmentId | None = None
    timepoint: Timepoint | None = Field(default=None, description="None when unscheduled.")
    instrument: Instrument
    score: Pcl5Score | IesrScore = Field(discriminator="instrument")
    change_from_baseline: ScoreChange | None = None
    change_from_previous: ScoreChange | None = None
    response: bool | None = Field(default=None, description="None when no rule applies.")
    remission: bool | None = Field(default=None, description="None when no rule applies.")
    submitted_at: UtcDatetime
    protocol: ProtocolRef

    @model_validator(mode="after")
    def _score_matches_instrument(self) -> Self:
        if self.score.instrument != self.instrument:
            raise ValueError(
                f"score is a {self.score.instrument} score but instrument is {self.instrument}"
            )
        return self


class MaintenanceRecommended(EventData):
    """Response has plateaued: single maintenance infusions at this interval."""

    event_type = "carepath.followup.maintenance-recommended.v1"

    interval_days: Annotated[int, Field(ge=1, le=90)]
    reason_code: MaintenanceReason
    evidence: Evidence
    recommended_at: UtcDatetime
    protocol: ProtocolRef


class ClinicalReviewRequired(EventData):
    """A clinician must review the pathway; the reason says why and the evidence shows it."""

    event_type = "carepath.followup.clinical-review-required.v1"

    reason_code: ReviewTrigger
    urgency: Urgency
    evidence: Evidence = Field(default_factory=list)
    course_id: CourseId | None = None
    session_id: SessionId | None = None
    required_at: UtcDatetime
    protocol: ProtocolRef


class PathwayCompleted(EventData):
    """The pathway is complete: its schedule or maintenance series ended, or a review closed it."""

    event_type = "carepath.followup.pathway-completed.v1"

    outcome: PathwayOutcome
    final_score: Pcl5Score
    baseline_total: Annotated[int, Field(ge=0, le=80)]
    change_from_baseline: ScoreChange
    completed_at: UtcDatetime
    ended_by: PathwayEnd | None = Field(
        default=None, description="What ended the pathway (absent from older producers)."
    )
    protocol: ProtocolRef

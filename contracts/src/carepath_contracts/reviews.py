"""The review loop: a trigger opens a review, an unanswered one escalates, a clinician's
outcome (codes, never notes) closes it and tells the services what to do."""

from typing import Annotated

from pydantic import Field

from carepath_contracts.codes import ReviewOutcome, ReviewTrigger, Urgency
from carepath_contracts.envelope import EventData
from carepath_contracts.followup import ScoreEvidence
from carepath_contracts.protocol import ProtocolRef
from carepath_contracts.values import (
    ClinicianId,
    CourseId,
    EventId,
    ReviewId,
    SessionId,
    UtcDatetime,
    ValueModel,
)

EventTypeName = Annotated[
    str,
    Field(
        pattern=r"^carepath\.[a-z]+\.[a-z0-9-]+\.v[0-9]+$",
        max_length=120,
        description="The CloudEvent type of the fact that triggered the review.",
    ),
]
Code = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9_]{1,64}$",
        description="A code the triggering fact carried (a safety rule, a reason code): "
        "never prose.",
    ),
]
MaintenanceInterval = Annotated[
    int, Field(ge=1, le=90, description="Days between maintenance infusions.")
]


class ReviewEvidence(ValueModel):
    """One coded fact a review rests on: which event, when, its codes and scores."""

    event_type: EventTypeName
    event_id: EventId
    observed_at: UtcDatetime
    codes: Annotated[list[Code], Field(max_length=10)] = Field(default_factory=list)
    scores: Annotated[list[ScoreEvidence], Field(max_length=4)] = Field(default_factory=list)
    course_id: CourseId | None = None
    session_id: SessionId | None = None


Evidence = Annotated[list[ReviewEvidence], Field(min_length=1, max_length=20)]


class ReviewOpened(EventData):
    """A trigger needs a clinician: one open review per patient and reason, with a deadline."""

    event_type = "carepath.followup.review-opened.v1"

    review_id: ReviewId
    reason_code: ReviewTrigger
    urgency: Urgency
    respond_by: UtcDatetime
    opened_at: UtcDatetime
    evidence: Evidence
    course_id: CourseId | None = None
    session_id: SessionId | None = None
    protocol: ProtocolRef


class ReviewEvidenceAdded(EventData):
    """The same trigger fired again while its review is open: evidence, never a second review."""

    event_type = "carepath.followup.review-evidence-added.v1"

    review_id: ReviewId
    reason_code: ReviewTrigger
    evidence: ReviewEvidence
    added_at: UtcDatetime
    protocol: ProtocolRef


class ReviewOverdue(EventData):
    """Nobody answered by the respond-by time: raised once per urgency, then escalated."""

    event_type = "carepath.followup.review-overdue.v1"

    review_id: ReviewId
    reason_code: ReviewTrigger
    urgency: Urgency = Field(description="The urgency whose respond-by time passed.")
    respond_by: UtcDatetime
    overdue_at: UtcDatetime
    escalated_to: Urgency | None = Field(
        default=None, description="The review's urgency from now on; None at the top already."
    )
    next_respond_by: UtcDatetime | None = None
    protocol: ProtocolRef


class ReviewOutcomeSubmitted(EventData):
    """Another system records a clinician's outcome of an open review (codes only)."""

    event_type = "carepath.followup.review-outcome-submitted.v1"

    review_id: ReviewId
    outcome: ReviewOutcome
    maintenance_interval_days: MaintenanceInterval | None = Field(
        default=None, description="For start_maintenance: days between infusions (protocol range)."
    )
    decided_by: ClinicianId
    decided_at: UtcDatetime


class ReviewOutcomeRecorded(EventData):
    """A review was answered: the outcome each service acts on (infusion books, replans, stops)."""

    event_type = "carepath.followup.review-outcome-recorded.v1"

    review_id: ReviewId
    reason_code: ReviewTrigger
    outcome: ReviewOutcome
    maintenance_interval_days: MaintenanceInterval | None = None
    maintenance_infusions: Annotated[int, Field(ge=1, le=52)] | None = Field(
        default=None, description="For start_maintenance: infusions in the series."
    )
    course_id: CourseId | None = None
    decided_by: ClinicianId
    decided_at: UtcDatetime
    recorded_at: UtcDatetime
    protocol: ProtocolRef

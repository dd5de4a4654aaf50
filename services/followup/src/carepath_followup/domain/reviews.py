"""Clinical reviews: one open review per patient and trigger, a respond-by time from the
protocol, escalation when nobody answers. Pure: state + request + protocol in, a change out."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from carepath_contracts import (
    EventData,
    ProtocolRef,
    ReviewEvidence,
    ReviewEvidenceAdded,
    ReviewOpened,
    ReviewOutcome,
    ReviewOverdue,
    ReviewTrigger,
    TreatmentProtocol,
    Urgency,
)
from carepath_followup.domain.model import TimerKind
from carepath_runtime.timer_requests import TimerRequest

EVIDENCE_LIMIT = 20  # the contract's bound: the first fact and the latest ones are kept
_IDS = uuid.UUID("0c9a4f57-2b1e-4d6a-8e3f-6a1b2c3d4e5f")


class ReviewStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class ReviewRequest:
    """A fact that needs a clinician: which trigger, and the coded evidence for it."""

    reason: ReviewTrigger
    evidence: ReviewEvidence
    course_id: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class Review:
    """One clinical review of one patient for one trigger, from opening to its outcome."""

    review_id: str
    patient_id: str
    pathway_id: str
    reason: ReviewTrigger
    urgency: Urgency
    respond_by: datetime
    opened_at: datetime
    evidence: tuple[ReviewEvidence, ...]
    protocol: ProtocolRef
    course_id: str | None = None
    session_id: str | None = None
    status: ReviewStatus = ReviewStatus.OPEN
    overdue_count: int = 0
    outcome: ReviewOutcome | None = None
    maintenance_interval_days: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def timer_key(self) -> str:
        """One respond-by timer per urgency, so an escalation sets a fresh one."""
        return f"followup:{TimerKind.REVIEW_RESPOND_BY}:{self.review_id}:{self.urgency}"


@dataclass(frozen=True)
class ReviewChange:
    """Reviews to store, events to emit, timers to set and to cancel."""

    reviews: tuple[Review, ...] = ()
    events: tuple[EventData, ...] = ()
    timers: tuple[TimerRequest, ...] = ()
    cancelled_timers: tuple[str, ...] = ()

    def __add__(self, other: "ReviewChange") -> "ReviewChange":
        return ReviewChange(
            reviews=self.reviews + other.reviews,
            events=self.events + other.events,
            timers=self.timers + other.timers,
            cancelled_timers=self.cancelled_timers + other.cancelled_timers,
        )


NO_CHANGE = ReviewChange()


def review_id_for(patient_id: str, reason: ReviewTrigger, first_event_id: str) -> str:
    """Derived from the fact that opened it, so a redelivered trigger names the same review."""
    return f"rev-{uuid.uuid5(_IDS, f'{patient_id}/{reason}/{first_event_id}').hex[:24]}"


def open_review(
    open_reviews: Mapping[ReviewTrigger, Review],
    request: ReviewRequest,
    *,
    patient_id: str,
    pathway_id: str,
    protocol: TreatmentProtocol,
    now: datetime,
) -> ReviewChange:
    """Open a review for the request's trigger, or add its evidence to the one already open.

    `open_reviews` are the patient's open reviews by trigger. A fact already in evidence
    (the same event again) changes nothing.
    """
    existing = open_reviews.get(request.reason)
    if existing is not None:
        return _add_evidence(existing, request.evidence, now)
    urgency = protocol.reviews.urgency_of(request.reason)
    review = Review(
        review_id=review_id_for(patient_id, request.reason, request.evidence.event_id),
        patient_id=patient_id,
        pathway_id=pathway_id,
        reason=request.reason,
        urgency=urgency,
        respond_by=now + respond_within(protocol, urgency),
        opened_at=now,
        evidence=(request.evidence,),
        protocol=protocol.ref,
        course_id=request.course_id or request.evidence.course_id,
        session_id=request.session_id or request.evidence.session_id,
    )
    opened = ReviewOpened(
        review_id=review.review_id,
        reason_code=review.reason,
        urgency=review.urgency,
        respond_by=review.respond_by,
        opened_at=now,
        evidence=list(review.evidence),
        course_id=review.course_id,
        session_id=review.session_id,
        protocol=review.protocol,
    )
    return ReviewChange(reviews=(review,), events=(opened,), timers=(respond_by_timer(review),))


def review_went_overdue(
    review: Review, timer_urgency: str, protocol: TreatmentProtocol, now: datetime
) -> ReviewChange:
    """Nobody answered by respond-by: `review-overdue` once for this urgency, and the review
    moves up to the protocol's next urgency with a fresh respond-by (none above the top)."""
    if review.status is not ReviewStatus.OPEN or review.urgency != timer_urgency:
        return NO_CHANGE  # answered, or already escalated past this timer
    escalated_to = protocol.reviews.escalation.get(review.urgency)
    next_respond_by = now + respond_within(protocol, escalated_to) if escalated_to else None
    overdue = ReviewOverdue(
        review_id=review.review_id,
        reason_code=review.reason,
        urgency=review.urgency,
        respond_by=review.respond_by,
        overdue_at=now,
        escalated_to=escalated_to,
        next_respond_by=next_respond_by,
        protocol=review.protocol,
    )
    updated = replace(review, overdue_count=review.overdue_count + 1)
    if escalated_to is None or next_respond_by is None:
        return ReviewChange(reviews=(updated,), events=(overdue,))
    updated = replace(updated, urgency=escalated_to, respond_by=next_respond_by)
    return ReviewChange(reviews=(updated,), events=(overdue,), timers=(respond_by_timer(updated),))


def respond_within(protocol: TreatmentProtocol, urgency: Urgency) -> timedelta:
    return timedelta(hours=protocol.reviews.respond_within_hours[urgency])


def respond_by_timer(review: Review) -> TimerRequest:
    return TimerRequest(
        key=review.timer_key,
        kind=TimerKind.REVIEW_RESPOND_BY,
        due_at=review.respond_by,
        payload={"review_id": review.review_id, "urgency": review.urgency.value},
    )


def _add_evidence(review: Review, evidence: ReviewEvidence, now: datetime) -> ReviewChange:
    if any(known.event_id == evidence.event_id for known in review.evidence):
        return NO_CHANGE
    kept = (*review.evidence, evidence)
    if len(kept) > EVIDENCE_LIMIT:
        kept = (kept[0], *kept[len(kept) - EVIDENCE_LIMIT + 1 :])
    added = ReviewEvidenceAdded(
        review_id=review.review_id,
        reason_code=review.reason,
        evidence=evidence,
        added_at=now,
        protocol=review.protocol,
    )
    return ReviewChange(reviews=(replace(review, evidence=kept),), events=(added,))

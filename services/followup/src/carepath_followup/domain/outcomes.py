"""A clinician's outcome of a review: the review is resolved and the pathway acts on it.

The same rules take the outcome from follow-up's HTTP API and from another system's
`review-outcome-submitted`. Each outcome is `review-outcome-recorded`, which infusion acts on
(replan, book, stop); follow-up's own part is the maintenance series and closing the pathway.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from carepath_contracts import (
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayEnd,
    ReviewOutcome,
    ReviewOutcomeRecorded,
    TreatmentProtocol,
)
from carepath_followup.domain.maintenance import completion
from carepath_followup.domain.model import (
    ClinicalDecision,
    Pathway,
    PathwayRuleError,
    PathwayStatus,
    ScoredAssessment,
)
from carepath_followup.domain.reviews import Review, ReviewChange, ReviewStatus

# Outcomes that need a pathway to act on; the others can close a review of a patient that
# never had one here (e.g. an urgent safety concern at screening).
_NEED_A_PATHWAY = frozenset(
    {
        ReviewOutcome.START_MAINTENANCE,
        ReviewOutcome.RESUME_COURSE,
        ReviewOutcome.REPEAT_INDUCTION,
    }
)
_CLOSE_THE_PATHWAY = {
    ReviewOutcome.DISCHARGE: PathwayEnd.DISCHARGED_AT_REVIEW,
    ReviewOutcome.REFER_OUT: PathwayEnd.REFERRED_OUT,
}


@dataclass(frozen=True)
class OutcomeDecision:
    """What the clinician decided, and who (the caller's identity, never a form field)."""

    outcome: ReviewOutcome
    decided_by: str
    decided_at: datetime
    maintenance_interval_days: int | None = None


@dataclass(frozen=True)
class OutcomeChange:
    """The resolved review, the pathway after it, and the decisions to emit."""

    reviews: ReviewChange
    pathway: Pathway | None
    decisions: list[ClinicalDecision] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.pathway is not None and self.pathway.status is not PathwayStatus.ACTIVE


def record_outcome(
    review: Review,
    pathway: Pathway | None,
    decision: OutcomeDecision,
    scores: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    now: datetime,
) -> OutcomeChange:
    """Resolve an open review with the clinician's outcome; refuse what cannot be done."""
    _check(review, pathway, decision, protocol)
    interval = _interval(decision, protocol)
    resolved = replace(
        review,
        status=ReviewStatus.RESOLVED,
        outcome=decision.outcome,
        maintenance_interval_days=interval,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        resolved_at=now,
    )
    recorded = ReviewOutcomeRecorded(
        review_id=review.review_id,
        reason_code=review.reason,
        outcome=decision.outcome,
        maintenance_interval_days=interval,
        maintenance_infusions=protocol.maintenance.series_infusions if interval else None,
        course_id=review.course_id or (pathway.course_id if pathway else None),
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        recorded_at=now,
        protocol=protocol.ref,
    )
    reviews = ReviewChange(
        reviews=(resolved,), events=(recorded,), cancelled_timers=(review.timer_key,)
    )
    if pathway is None or pathway.status is not PathwayStatus.ACTIVE:
        return OutcomeChange(reviews, pathway)
    updated, decisions = _act_on_pathway(
        pathway, review, decision.outcome, interval, scores, protocol, now
    )
    return OutcomeChange(reviews, updated, decisions)


def _act_on_pathway(
    pathway: Pathway,
    review: Review,
    outcome: ReviewOutcome,
    interval: int | None,
    scores: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    now: datetime,
) -> tuple[Pathway, list[ClinicalDecision]]:
    if outcome is ReviewOutcome.START_MAINTENANCE and interval is not None:
        series = replace(
            pathway,
            maintenance_interval_days=interval,
            maintenance_reason=MaintenanceReason.CLINICAL_REVIEW,
            maintenance_series_length=protocol.maintenance.series_infusions,
        )
        recommended = MaintenanceRecommended(
            interval_days=interval,
            reason_code=MaintenanceReason.CLINICAL_REVIEW,
            evidence=[scored.evidence() for scored in scores[-1:]],
            recommended_at=now,
            protocol=protocol.ref,
        )
        return series, [ClinicalDecision(f"maintenance:review:{review.review_id}", recommended)]
    if outcome in (ReviewOutcome.RESUME_COURSE, ReviewOutcome.REPEAT_INDUCTION):
        return replace(pathway, course_suspended_at=None), []
    if outcome in _CLOSE_THE_PATHWAY:
        closed, completed = completion(pathway, scores, _CLOSE_THE_PATHWAY[outcome], protocol, now)
        return closed, [completed]
    return pathway, []  # continue monitoring: the pathway goes on as it was


def _interval(decision: OutcomeDecision, protocol: TreatmentProtocol) -> int | None:
    if decision.outcome is not ReviewOutcome.START_MAINTENANCE:
        return None
    return decision.maintenance_interval_days or protocol.maintenance.interval_days_when_stable


def _check(
    review: Review,
    pathway: Pathway | None,
    decision: OutcomeDecision,
    protocol: TreatmentProtocol,
) -> None:
    outcome = decision.outcome
    if review.status is not ReviewStatus.OPEN:
        raise PathwayRuleError(
            f"review {review.review_id} was already answered ({review.outcome} by "
            f"{review.decided_by}); a second outcome is refused"
        )
    if decision.maintenance_interval_days is not None and (
        outcome is not ReviewOutcome.START_MAINTENANCE
    ):
        raise PathwayRuleError(
            f"maintenance_interval_days is only for start_maintenance, not {outcome}"
        )
    if outcome not in _NEED_A_PATHWAY:
        return
    if pathway is None or pathway.status is not PathwayStatus.ACTIVE:
        state = "no pathway" if pathway is None else f"a {pathway.status} pathway"
        raise PathwayRuleError(f"{outcome} refused: patient {review.patient_id} has {state}")
    if outcome is ReviewOutcome.RESUME_COURSE and pathway.course_suspended_at is None:
        raise PathwayRuleError(
            f"resume_course refused: {review.patient_id}'s course is not suspended"
        )
    if outcome is ReviewOutcome.START_MAINTENANCE:
        limits = protocol.maintenance
        interval = _interval(decision, protocol) or 0
        if not limits.interval_days_min <= interval <= limits.interval_days_max:
            raise PathwayRuleError(
                f"maintenance every {interval} days is outside the protocol's "
                f"{limits.interval_days_min}-{limits.interval_days_max} days"
            )
        if pathway.last_infusion_at is None:
            raise PathwayRuleError(
                "start_maintenance refused: the induction course has not ended (maintenance "
                "follows a completed course)"
            )

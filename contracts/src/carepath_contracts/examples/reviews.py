"""Examples of the review loop: opened, more evidence, overdue, an outcome in and recorded."""

from carepath_contracts import reviews as rv
from carepath_contracts.codes import ReviewOutcome, ReviewTrigger, Urgency
from carepath_contracts.examples.followup import WORSENING_EVIDENCE
from carepath_contracts.examples.patient import COURSE_ID, PROTOCOL, Example, at

REVIEW_ID = "rev-5b7e2c1a-worsening"
WORSENING_FACT = rv.ReviewEvidence(
    event_type="carepath.followup.assessment-submitted.v1",
    event_id="0b6c1f7e-3a52-4d8e-9c41-7f2a9e5d1c30",
    observed_at=at(30),
    codes=["worsening"],
    scores=[WORSENING_EVIDENCE],
    course_id=COURSE_ID,
)

REVIEW_EXAMPLES: tuple[Example, ...] = (
    Example(
        at(30, 1),
        rv.ReviewOpened(
            review_id=REVIEW_ID,
            reason_code=ReviewTrigger.WORSENING,
            urgency=Urgency.URGENT,
            respond_by=at(30, 241),
            opened_at=at(30, 1),
            evidence=[WORSENING_FACT],
            course_id=COURSE_ID,
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(44, 1),
        rv.ReviewEvidenceAdded(
            review_id=REVIEW_ID,
            reason_code=ReviewTrigger.WORSENING,
            evidence=WORSENING_FACT.model_copy(
                update={"event_id": "5d1e8a2b-7c34-4f19-8e60-2b9d4c7a3f15", "observed_at": at(44)}
            ),
            added_at=at(44, 1),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(30, 241),
        rv.ReviewOverdue(
            review_id=REVIEW_ID,
            reason_code=ReviewTrigger.WORSENING,
            urgency=Urgency.URGENT,
            respond_by=at(30, 241),
            overdue_at=at(30, 241),
            escalated_to=Urgency.IMMEDIATE,
            next_respond_by=at(30, 301),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(30, 290),
        rv.ReviewOutcomeSubmitted(
            review_id=REVIEW_ID,
            outcome=ReviewOutcome.START_MAINTENANCE,
            maintenance_interval_days=14,
            decided_by="clin-4e2a91",
            decided_at=at(30, 290),
        ),
    ),
    Example(
        at(30, 290),
        rv.ReviewOutcomeRecorded(
            review_id=REVIEW_ID,
            reason_code=ReviewTrigger.WORSENING,
            outcome=ReviewOutcome.START_MAINTENANCE,
            maintenance_interval_days=14,
            maintenance_infusions=6,
            course_id=COURSE_ID,
            decided_by="clin-4e2a91",
            decided_at=at(30, 290),
            recorded_at=at(30, 290),
            protocol=PROTOCOL,
        ),
    ),
)

"""A patient's intake record as the rules see it: referral, screening, review, withdrawal.

Personal details are not part of it: the rules need only the age, handed in as a number.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from carepath_contracts import (
    ReferralSource,
    ResponderRole,
    ReviewDecision,
    ReviewReason,
    ScreeningOutcome,
    ScreeningReason,
    ScreeningSubmitted,
    WithdrawalReason,
)
from carepath_intake.domain.screening import Finding, FindingKind, ScreeningResult


class PatientStatus(StrEnum):
    REFERRED = "referred"
    AWAITING_REVIEW = "awaiting_review"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"


STATUS_OF_OUTCOME = {
    ScreeningOutcome.ELIGIBLE: PatientStatus.ELIGIBLE,
    ScreeningOutcome.INELIGIBLE: PatientStatus.INELIGIBLE,
    ScreeningOutcome.NEEDS_REVIEW: PatientStatus.AWAITING_REVIEW,
}


@dataclass(frozen=True, slots=True)
class Referral:
    """The coded part of a referral (its personal details stay with the store)."""

    external_referral_id: str
    responder_role: ResponderRole
    referral_source: ReferralSource
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Screening:
    form: ScreeningSubmitted
    result: ScreeningResult
    age_years: int
    screened_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    decision: ReviewDecision
    reason_code: ReviewReason
    clinician_id: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class Withdrawal:
    reason_code: WithdrawalReason
    withdrawn_at: datetime
    status_before: PatientStatus


@dataclass(frozen=True, slots=True)
class Patient:
    patient_id: str
    pathway_id: str
    referral: Referral
    accepted_at: datetime
    status: PatientStatus = PatientStatus.REFERRED
    screening: Screening | None = None
    review: Review | None = None
    withdrawal: Withdrawal | None = None

    @property
    def outcome(self) -> ScreeningOutcome | None:
        """The screening outcome now, after any review."""
        if self.screening is None:
            return None
        if self.review is None:
            return self.screening.result.outcome
        if self.review.decision == ReviewDecision.APPROVED:
            return ScreeningOutcome.ELIGIBLE
        return ScreeningOutcome.INELIGIBLE

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every reason on record: the screening's findings and a review's decline."""
        if self.screening is None:
            return ()
        findings = self.screening.result.findings
        if self.review is not None and self.review.decision == ReviewDecision.DECLINED:
            declined = Finding(
                ScreeningReason.DECLINED_AT_REVIEW,
                FindingKind.DECLINED_AT_REVIEW,
                f"declined by {self.review.clinician_id}: {self.review.reason_code}",
            )
            findings = (*findings, declined)
        return findings

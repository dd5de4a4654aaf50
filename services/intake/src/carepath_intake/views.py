"""What intake's HTTP API answers: a patient's status, screening and every reason."""

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import (
    DosingWeightBasis,
    Pcl5Score,
    ProtocolRef,
    ReferralSource,
    ResponderRole,
    ReviewDecision,
    ReviewReason,
    ScreeningOutcome,
    ScreeningReason,
    WithdrawalReason,
)
from carepath_intake import store
from carepath_intake.domain import FindingKind, Patient, PatientStatus, UnknownPatientError
from carepath_intake.store import PersonalDetails


class ReferralReply(BaseModel):
    patient_id: str
    pathway_id: str
    status: PatientStatus
    created: bool


class ReasonView(BaseModel):
    code: ScreeningReason
    kind: FindingKind
    detail: str


class ScreeningView(BaseModel):
    outcome: ScreeningOutcome
    final: bool
    outcome_before_review: ScreeningOutcome
    reasons: list[ReasonView]
    reason_codes: list[ScreeningReason]
    baseline_pcl5: Pcl5Score
    age_years: int
    bmi: float | None
    dosing_weight_kg: float | None
    dosing_weight_basis: DosingWeightBasis | None
    protocol: ProtocolRef
    screened_at: datetime


class ReviewView(BaseModel):
    decision: ReviewDecision
    reason_code: ReviewReason
    clinician_id: str
    decided_at: datetime


class WithdrawalView(BaseModel):
    reason_code: WithdrawalReason
    withdrawn_at: datetime
    status_before: PatientStatus


class PersonalDetailsView(BaseModel):
    given_name: str
    family_name: str
    date_of_birth: date
    phone: str
    email: str
    agency: str


class PatientView(BaseModel):
    patient_id: str
    pathway_id: str
    external_referral_id: str
    status: PatientStatus
    responder_role: ResponderRole
    referral_source: ReferralSource
    received_at: datetime
    accepted_at: datetime
    screening: ScreeningView | None
    review: ReviewView | None
    withdrawal: WithdrawalView | None
    personal_details: PersonalDetailsView | None = None
    """Only for roles allowed to see personal details."""


async def read_patient(
    session: AsyncSession, patient_id: str, role: str, *, personal_details_roles: list[str]
) -> PatientView | None:
    """The patient's view as `role` may see it; None for a patient intake does not know."""
    patient = await store.patient(session, patient_id, lock=False)
    if patient is None:
        return None
    details = None
    if role in personal_details_roles:
        details = await store.personal_details_of(session, patient_id)
    return patient_view(patient, details)


def unknown_patient(patient_id: str) -> str:
    return str(UnknownPatientError(patient_id))


def patient_view(patient: Patient, details: PersonalDetails | None) -> PatientView:
    referral = patient.referral
    return PatientView(
        patient_id=patient.patient_id,
        pathway_id=patient.pathway_id,
        external_referral_id=referral.external_referral_id,
        status=patient.status,
        responder_role=referral.responder_role,
        referral_source=referral.referral_source,
        received_at=referral.received_at,
        accepted_at=patient.accepted_at,
        screening=_screening_view(patient),
        review=ReviewView(**asdict(patient.review)) if patient.review else None,
        withdrawal=WithdrawalView(**asdict(patient.withdrawal)) if patient.withdrawal else None,
        personal_details=PersonalDetailsView(**asdict(details)) if details else None,
    )


def _screening_view(patient: Patient) -> ScreeningView | None:
    screening = patient.screening
    if screening is None or patient.outcome is None:
        return None
    result = screening.result
    reasons = [ReasonView(code=f.code, kind=f.kind, detail=f.detail) for f in patient.findings]
    weight = result.dosing_weight
    return ScreeningView(
        outcome=patient.outcome,
        final=patient.outcome != ScreeningOutcome.NEEDS_REVIEW,
        outcome_before_review=result.outcome,
        reasons=reasons,
        reason_codes=sorted({reason.code for reason in reasons}),
        baseline_pcl5=result.baseline_pcl5,
        age_years=screening.age_years,
        bmi=result.bmi,
        dosing_weight_kg=weight.kg if weight else None,
        dosing_weight_basis=weight.basis if weight else None,
        protocol=result.protocol,
        screened_at=screening.screened_at,
    )

"""Intake's domain values to table rows and back."""

from typing import Any

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
    ScreeningSubmitted,
    WithdrawalReason,
)
from carepath_intake.domain import (
    DosingWeight,
    Finding,
    FindingKind,
    Patient,
    PatientStatus,
    Referral,
    Review,
    Screening,
    ScreeningResult,
    Withdrawal,
)


def screening_row(screening: Screening, review: Review | None) -> dict[str, Any]:
    result = screening.result
    weight = result.dosing_weight
    return {
        "form": screening.form.model_dump(mode="json"),
        "age_years": screening.age_years,
        "outcome": result.outcome,
        "findings": [{"code": f.code, "kind": f.kind, "detail": f.detail} for f in result.findings],
        "baseline_pcl5": result.baseline_pcl5.model_dump(mode="json"),
        "bmi": result.bmi,
        "dosing_weight_kg": weight.kg if weight else None,
        "dosing_weight_basis": weight.basis if weight else None,
        "protocol_id": result.protocol.id,
        "protocol_version": result.protocol.version,
        "screened_at": screening.screened_at,
        "review_decision": review.decision if review else None,
        "review_reason": review.reason_code if review else None,
        "reviewed_by": review.clinician_id if review else None,
        "review_decided_at": review.decided_at if review else None,
    }


def patient(row: Any) -> Patient:
    return Patient(
        patient_id=row["patient_id"],
        pathway_id=row["pathway_id"],
        referral=Referral(
            external_referral_id=row["external_referral_id"],
            responder_role=ResponderRole(row["responder_role"]),
            referral_source=ReferralSource(row["referral_source"]),
            received_at=row["received_at"],
        ),
        accepted_at=row["accepted_at"],
        status=PatientStatus(row["status"]),
        screening=_screening(row) if row["screened_at"] is not None else None,
        review=_review(row) if row["review_decision"] is not None else None,
        withdrawal=_withdrawal(row) if row["withdrawn_at"] is not None else None,
    )


def _screening(row: Any) -> Screening:
    basis = row["dosing_weight_basis"]
    result = ScreeningResult(
        outcome=ScreeningOutcome(row["outcome"]),
        findings=tuple(
            Finding(ScreeningReason(f["code"]), FindingKind(f["kind"]), f["detail"])
            for f in row["findings"]
        ),
        baseline_pcl5=Pcl5Score.model_validate(row["baseline_pcl5"]),
        bmi=row["bmi"],
        dosing_weight=DosingWeight(row["dosing_weight_kg"], DosingWeightBasis(basis))
        if basis
        else None,
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
    )
    return Screening(
        form=ScreeningSubmitted.model_validate(row["form"]),
        result=result,
        age_years=row["age_years"],
        screened_at=row["screened_at"],
    )


def _review(row: Any) -> Review:
    return Review(
        decision=ReviewDecision(row["review_decision"]),
        reason_code=ReviewReason(row["review_reason"]),
        clinician_id=row["reviewed_by"],
        decided_at=row["review_decided_at"],
    )


def _withdrawal(row: Any) -> Withdrawal:
    return Withdrawal(
        reason_code=WithdrawalReason(row["withdrawal_reason"]),
        withdrawn_at=row["withdrawn_at"],
        status_before=PatientStatus(row["status_before_withdrawal"]),
    )

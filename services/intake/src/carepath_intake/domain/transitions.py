"""How a patient's intake record moves: referral, screening, review, withdrawal.

Each transition returns the new record and the event data to emit. A request that repeats
what is already on record changes nothing and emits nothing; one that contradicts the record,
or that the patient's status forbids, is refused.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from carepath_contracts import (
    EventData,
    PatientScreened,
    PatientWithdrawn,
    ReferralAccepted,
    SafetyConcernRaised,
    ScreeningOutcome,
    ScreeningSubmitted,
    UrgentAction,
    WithdrawalReason,
)
from carepath_intake.domain.patient import (
    STATUS_OF_OUTCOME,
    Patient,
    PatientStatus,
    Review,
    Screening,
    Withdrawal,
)
from carepath_intake.domain.refusals import (
    ConflictingRecordError,
    MissingDateOfBirthError,
    NotAllowedNowError,
)
from carepath_intake.domain.screening import (
    Finding,
    ScreeningResult,
    ScreeningRules,
    screen,
)


@dataclass(frozen=True, slots=True)
class Transition:
    """The patient's record after a request, and the events the change announces."""

    patient: Patient
    events: tuple[EventData, ...] = ()
    repeated: bool = False
    """The request was already on record: nothing changed and nothing is emitted."""


def receive_referral(
    candidate: Patient,
    *,
    on_record: Patient | None,
    ids_in_use_by: Patient | None = None,
    sender_chose_ids: bool,
) -> Transition:
    """A referral opens a pathway, or finds the patient already on record for its external id.

    `candidate` is the patient the referral would open; `on_record` the patient holding the
    same external referral id; `ids_in_use_by` a patient already holding the candidate's ids.
    """
    referral = candidate.referral
    if on_record is None:
        if ids_in_use_by is not None:
            raise ConflictingRecordError(
                f"patient {candidate.patient_id} / pathway {candidate.pathway_id} already belongs "
                f"to referral {ids_in_use_by.referral.external_referral_id}, not "
                f"{referral.external_referral_id}"
            )
        accepted = ReferralAccepted(
            responder_role=referral.responder_role,
            referral_source=referral.referral_source,
            accepted_at=candidate.accepted_at,
        )
        return Transition(candidate, (accepted,))
    same = (on_record.referral.responder_role, on_record.referral.referral_source) == (
        referral.responder_role,
        referral.referral_source,
    )
    if sender_chose_ids:
        same = same and (on_record.patient_id, on_record.pathway_id) == (
            candidate.patient_id,
            candidate.pathway_id,
        )
    if not same:
        raise ConflictingRecordError(
            f"referral {referral.external_referral_id} is already on record as patient "
            f"{on_record.patient_id} (pathway {on_record.pathway_id}, "
            f"{on_record.referral.responder_role}, {on_record.referral.referral_source}); "
            "this one differs"
        )
    return Transition(on_record, repeated=True)


def check_pathway(patient: Patient, pathway_id: str) -> None:
    """An event about a patient must name the patient's own pathway."""
    if pathway_id != patient.pathway_id:
        raise ConflictingRecordError(
            f"pathway {pathway_id} is not patient {patient.patient_id}'s pathway "
            f"({patient.pathway_id})"
        )


def screen_patient(
    patient: Patient,
    form: ScreeningSubmitted,
    *,
    age_years: int | None,
    rules: ScreeningRules,
    at: datetime,
) -> Transition:
    """Screen a referred patient once; the same form again is a repeat, another a conflict."""
    _refuse_if_withdrawn(patient, "screened")
    if patient.screening is not None:
        if same_form(patient.screening.form, form):
            return Transition(patient, repeated=True)
        raise ConflictingRecordError(
            f"patient {patient.patient_id} was already screened at "
            f"{patient.screening.screened_at.isoformat()} (outcome "
            f"{patient.screening.result.outcome}) from a different form; a screening is "
            "recorded once — a changed case needs a clinician's review or a new referral"
        )
    if age_years is None:
        raise MissingDateOfBirthError(patient.patient_id)
    result = screen(form, age_years, rules)
    screened = replace(
        patient,
        status=STATUS_OF_OUTCOME[result.outcome],
        screening=Screening(form=form, result=result, age_years=age_years, screened_at=at),
    )
    final = result.outcome != ScreeningOutcome.NEEDS_REVIEW
    concerns = tuple(
        SafetyConcernRaised(
            concern=concern,
            action=UrgentAction.ROUTE_TO_URGENT_CARE,
            raised_at=at,
            protocol=result.protocol,
        )
        for concern in result.urgent_concerns
    )
    return Transition(
        screened, (_patient_screened(result, result.findings, at, final=final), *concerns)
    )


def decide_review(patient: Patient, review: Review, *, at: datetime) -> Transition:
    """A clinician's decision turns needs-review into a final eligible or ineligible."""
    _refuse_if_withdrawn(patient, "reviewed")
    if patient.review is not None:
        if _same_review(patient.review, review):
            return Transition(patient, repeated=True)
        raise ConflictingRecordError(
            f"patient {patient.patient_id}'s screening was already {patient.review.decision} "
            f"by {patient.review.clinician_id} at {patient.review.decided_at.isoformat()}"
        )
    if patient.status != PatientStatus.AWAITING_REVIEW or patient.screening is None:
        raise NotAllowedNowError(
            f"patient {patient.patient_id} is {patient.status}: only a screening that needs "
            "review can be reviewed"
        )
    reviewed = replace(patient, review=review)
    reviewed = replace(reviewed, status=STATUS_OF_OUTCOME[reviewed.outcome])
    screened = _patient_screened(
        patient.screening.result,
        reviewed.findings,
        at,
        final=True,
        outcome=reviewed.outcome,
        by=review.clinician_id,
    )
    return Transition(reviewed, (screened,))


def withdraw(patient: Patient, reason: WithdrawalReason, *, withdrawn_at: datetime) -> Transition:
    """The patient leaves the pathway; a second withdrawal changes nothing."""
    if patient.withdrawal is not None:
        return Transition(patient, repeated=True)
    withdrawal = Withdrawal(
        reason_code=reason, withdrawn_at=withdrawn_at, status_before=patient.status
    )
    withdrawn = replace(patient, status=PatientStatus.WITHDRAWN, withdrawal=withdrawal)
    return Transition(withdrawn, (PatientWithdrawn(reason_code=reason, withdrawn_at=withdrawn_at),))


def same_form(recorded: ScreeningSubmitted, submitted: ScreeningSubmitted) -> bool:
    """The same answers, whenever they were sent (a resend carries a new submission time)."""
    ignore = {"submitted_at"}
    return recorded.model_dump(exclude=ignore) == submitted.model_dump(exclude=ignore)


def _same_review(recorded: Review, decided: Review) -> bool:
    return (recorded.decision, recorded.reason_code, recorded.clinician_id) == (
        decided.decision,
        decided.reason_code,
        decided.clinician_id,
    )


def _refuse_if_withdrawn(patient: Patient, what: str) -> None:
    if patient.withdrawal is not None:
        raise NotAllowedNowError(
            f"patient {patient.patient_id} withdrew at "
            f"{patient.withdrawal.withdrawn_at.isoformat()} and can no longer be {what}"
        )


def _patient_screened(
    result: ScreeningResult,
    findings: tuple[Finding, ...],
    at: datetime,
    *,
    final: bool,
    outcome: ScreeningOutcome | None = None,
    by: str | None = None,
) -> PatientScreened:
    weight = result.dosing_weight
    return PatientScreened(
        outcome=outcome or result.outcome,
        reason_codes=[finding.code for finding in findings],
        baseline_pcl5=result.baseline_pcl5,
        dosing_weight_kg=weight.kg if weight else None,
        dosing_weight_basis=weight.basis if weight else None,
        bmi=result.bmi,
        final=final,
        reviewed_by=by,
        protocol=result.protocol,
        screened_at=at,
    )

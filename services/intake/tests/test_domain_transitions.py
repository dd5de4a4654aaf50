"""How a patient's intake record moves, and what repeats and contradictions do."""

from dataclasses import replace
from datetime import timedelta

import pytest

from carepath_contracts import (
    HistoryFlag,
    PatientScreened,
    PatientWithdrawn,
    ReferralAccepted,
    ReferralSource,
    ReviewDecision,
    ReviewReason,
    ScreeningOutcome,
    ScreeningReason,
    WithdrawalReason,
)
from carepath_intake.domain import (
    ConflictingRecordError,
    MissingDateOfBirthError,
    NotAllowedNowError,
    PatientStatus,
    Review,
    check_pathway,
    decide_review,
    receive_referral,
    screen_patient,
    withdraw,
)

from .builders import NOW, PROTOCOL, RULES, eligible_form, referred_patient

LATER = NOW + timedelta(hours=2)
CAUTION_FORM = eligible_form(history=[HistoryFlag.HYPERTENSION_CONTROLLED])


def screened(form=None, age=40):
    return screen_patient(
        referred_patient(), form or eligible_form(), age_years=age, rules=RULES, at=NOW
    )


def awaiting_review():
    return screened(CAUTION_FORM).patient


def review(decision=ReviewDecision.APPROVED, reason=ReviewReason.CAUTION_MANAGED, by="clin-04"):
    return Review(decision, reason, by, LATER)


def test_a_new_referral_opens_a_pathway_and_is_accepted():
    candidate = referred_patient()
    decision = receive_referral(candidate, on_record=None, sender_chose_ids=False)

    assert decision.patient == candidate
    assert decision.patient.status == PatientStatus.REFERRED
    (accepted,) = decision.events
    assert isinstance(accepted, ReferralAccepted)
    assert (accepted.responder_role, accepted.referral_source) == (
        candidate.referral.responder_role,
        candidate.referral.referral_source,
    )


def test_the_same_referral_again_returns_the_patient_on_record_and_emits_nothing():
    on_record = referred_patient()
    again = replace(on_record, patient_id="p-other", pathway_id="pw-other")

    decision = receive_referral(again, on_record=on_record, sender_chose_ids=False)

    assert decision.repeated
    assert decision.events == ()
    assert decision.patient.patient_id == on_record.patient_id


def test_a_referral_that_contradicts_the_one_on_record_is_refused():
    on_record = referred_patient()
    changed = replace(
        on_record,
        referral=replace(on_record.referral, referral_source=ReferralSource.SELF),
    )

    with pytest.raises(ConflictingRecordError, match="differs"):
        receive_referral(changed, on_record=on_record, sender_chose_ids=False)


def test_a_sender_naming_other_ids_for_a_referral_on_record_is_refused():
    on_record = referred_patient()
    renamed = replace(on_record, patient_id="p-someone-else")

    with pytest.raises(ConflictingRecordError):
        receive_referral(renamed, on_record=on_record, sender_chose_ids=True)


def test_a_new_referral_cannot_take_ids_another_referral_holds():
    holder = referred_patient()
    candidate = referred_patient(patient_id=holder.patient_id)

    with pytest.raises(ConflictingRecordError, match="already belongs"):
        receive_referral(candidate, on_record=None, ids_in_use_by=holder, sender_chose_ids=True)


def test_an_event_naming_another_pathway_is_refused():
    with pytest.raises(ConflictingRecordError, match="pw-wrong"):
        check_pathway(referred_patient(), "pw-wrong")


def test_an_eligible_screening_is_final_and_carries_the_protocol():
    decision = screened()

    assert decision.patient.status == PatientStatus.ELIGIBLE
    (event,) = decision.events
    assert isinstance(event, PatientScreened)
    assert (event.outcome, event.final, event.protocol) == (
        ScreeningOutcome.ELIGIBLE,
        True,
        PROTOCOL.ref,
    )
    assert (event.dosing_weight_kg, event.bmi, event.screened_at) == (82.5, 26.0, NOW)


def test_a_screening_that_needs_review_is_not_final():
    decision = screened(CAUTION_FORM)

    assert decision.patient.status == PatientStatus.AWAITING_REVIEW
    (event,) = decision.events
    assert (event.outcome, event.final, event.reason_codes) == (
        ScreeningOutcome.NEEDS_REVIEW,
        False,
        [ScreeningReason.HYPERTENSION_CONTROLLED],
    )


def test_an_ineligible_screening_is_final():
    decision = screened(eligible_form(history=[HistoryFlag.PSYCHOSIS]))

    assert decision.patient.status == PatientStatus.INELIGIBLE
    assert decision.events[0].final


def test_screening_without_a_date_of_birth_on_record_is_refused():
    with pytest.raises(MissingDateOfBirthError, match="date of birth"):
        screen_patient(referred_patient(), eligible_form(), age_years=None, rules=RULES, at=NOW)


def test_the_same_form_sent_again_is_a_repeat_that_emits_nothing():
    first = screened().patient
    resent = eligible_form(submitted_at=LATER)

    decision = screen_patient(first, resent, age_years=40, rules=RULES, at=LATER)

    assert decision.repeated
    assert decision.events == ()
    assert decision.patient == first


def test_a_different_form_for_a_screened_patient_is_refused():
    first = screened().patient

    with pytest.raises(ConflictingRecordError, match="already screened"):
        screen_patient(first, CAUTION_FORM, age_years=40, rules=RULES, at=LATER)


def test_an_approval_makes_a_needs_review_screening_finally_eligible():
    decision = decide_review(awaiting_review(), review(), at=LATER)

    assert decision.patient.status == PatientStatus.ELIGIBLE
    (event,) = decision.events
    assert (event.outcome, event.final, event.reviewed_by, event.screened_at) == (
        ScreeningOutcome.ELIGIBLE,
        True,
        "clin-04",
        LATER,
    )
    assert event.reason_codes == [ScreeningReason.HYPERTENSION_CONTROLLED]


def test_a_decline_makes_a_needs_review_screening_finally_ineligible():
    declined = review(ReviewDecision.DECLINED, ReviewReason.RISK_OUTWEIGHS_BENEFIT)
    decision = decide_review(awaiting_review(), declined, at=LATER)

    assert decision.patient.status == PatientStatus.INELIGIBLE
    (event,) = decision.events
    assert (event.outcome, event.final) == (ScreeningOutcome.INELIGIBLE, True)
    assert event.reason_codes == [
        ScreeningReason.DECLINED_AT_REVIEW,
        ScreeningReason.HYPERTENSION_CONTROLLED,
    ]


def test_the_same_review_again_is_a_repeat_and_another_one_is_refused():
    reviewed = decide_review(awaiting_review(), review(), at=LATER).patient

    assert decide_review(reviewed, review(), at=LATER).repeated
    with pytest.raises(ConflictingRecordError, match="already approved"):
        decide_review(reviewed, review(ReviewDecision.DECLINED), at=LATER)


@pytest.mark.parametrize(
    "form",
    [eligible_form(), eligible_form(history=[HistoryFlag.PSYCHOSIS])],
    ids=["eligible", "ineligible"],
)
def test_a_final_screening_cannot_be_reviewed(form):
    with pytest.raises(NotAllowedNowError, match="only a screening that needs review"):
        decide_review(screened(form).patient, review(), at=LATER)


def test_an_unscreened_patient_cannot_be_reviewed():
    with pytest.raises(NotAllowedNowError, match="referred"):
        decide_review(referred_patient(), review(), at=LATER)


def test_withdrawal_ends_the_pathway_and_is_announced():
    decision = withdraw(awaiting_review(), WithdrawalReason.PATIENT_REQUEST, withdrawn_at=LATER)

    assert decision.patient.status == PatientStatus.WITHDRAWN
    assert decision.patient.withdrawal.status_before == PatientStatus.AWAITING_REVIEW
    assert decision.events == (
        PatientWithdrawn(reason_code=WithdrawalReason.PATIENT_REQUEST, withdrawn_at=LATER),
    )


def test_a_second_withdrawal_changes_nothing():
    withdrawn = withdraw(referred_patient(), WithdrawalReason.MOVED_AWAY, withdrawn_at=NOW).patient

    decision = withdraw(withdrawn, WithdrawalReason.CONSENT_WITHDRAWN, withdrawn_at=LATER)

    assert decision.repeated
    assert decision.patient.withdrawal.reason_code == WithdrawalReason.MOVED_AWAY


def test_a_withdrawn_patient_can_be_neither_screened_nor_reviewed():
    withdrawn = withdraw(awaiting_review(), WithdrawalReason.PATIENT_REQUEST, withdrawn_at=NOW)

    with pytest.raises(NotAllowedNowError, match="withdrew"):
        decide_review(withdrawn.patient, review(), at=LATER)
    unscreened = withdraw(referred_patient(), WithdrawalReason.PATIENT_REQUEST, withdrawn_at=NOW)
    with pytest.raises(NotAllowedNowError, match="withdrew"):
        screen_patient(unscreened.patient, eligible_form(), age_years=40, rules=RULES, at=LATER)

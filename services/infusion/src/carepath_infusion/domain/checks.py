"""The pre-infusion gate at check-in and the discharge criteria after observation."""

from carepath_contracts import (
    DeferralReason,
    DischargeCriterion,
    PatientDischarged,
    PregnancyTest,
    SessionCheckedIn,
    Vitals,
)
from carepath_contracts.protocol import CheckInGate, DischargeSettings


def deferral_reasons(check_in: SessionCheckedIn, gate: CheckInGate) -> list[DeferralReason]:
    """Every pre-infusion check that failed; empty means the infusion may start."""
    vitals = check_in.vitals
    failed = {
        DeferralReason.SYSTOLIC_ABOVE_LIMIT: vitals.systolic_mmhg > gate.systolic_max_mmhg,
        DeferralReason.DIASTOLIC_ABOVE_LIMIT: vitals.diastolic_mmhg > gate.diastolic_max_mmhg,
        DeferralReason.HEART_RATE_ABOVE_LIMIT: vitals.heart_rate_bpm > gate.heart_rate_max_bpm,
        DeferralReason.SPO2_BELOW_LIMIT: vitals.spo2_percent < gate.spo2_min_percent,
        DeferralReason.PREGNANCY_TEST_POSITIVE: gate.requires_negative_pregnancy_test
        and check_in.pregnancy_test == PregnancyTest.POSITIVE,
        DeferralReason.ESCORT_ABSENT: gate.requires_escort and not check_in.escort_present,
    }
    return sorted(reason for reason, fails in failed.items() if fails)


def unmet_discharge_criteria(
    discharged: PatientDischarged,
    baseline: Vitals | None,
    observed_minutes: int,
    criteria: DischargeSettings,
) -> list[DischargeCriterion]:
    """Every discharge criterion not met; vitals are compared with the check-in vitals."""
    unmet = {
        DischargeCriterion.OBSERVATION_TOO_SHORT: observed_minutes
        < criteria.min_observation_minutes,
        DischargeCriterion.VITALS_NOT_NEAR_BASELINE: not _near_baseline(
            discharged.vitals, baseline, criteria
        ),
        DischargeCriterion.DISSOCIATION_UNRESOLVED: criteria.requires_dissociation_resolved
        and not discharged.dissociation_resolved,
        DischargeCriterion.ESCORT_ABSENT: criteria.requires_escort
        and not discharged.escort_present,
        DischargeCriterion.NO_DRIVING_INSTRUCTION_MISSING: criteria.requires_no_driving_instruction
        and not discharged.no_driving_instruction_given,
    }
    return sorted(criterion for criterion, is_unmet in unmet.items() if is_unmet)


def _near_baseline(vitals: Vitals, baseline: Vitals | None, criteria: DischargeSettings) -> bool:
    if vitals.spo2_percent < criteria.spo2_min_percent:
        return False
    if baseline is None:
        return False  # nothing to compare with: a clinician must judge, so not "met"
    return (
        vitals.systolic_mmhg - baseline.systolic_mmhg <= criteria.systolic_max_rise_mmhg
        and vitals.diastolic_mmhg - baseline.diastolic_mmhg <= criteria.diastolic_max_rise_mmhg
        and vitals.heart_rate_bpm - baseline.heart_rate_bpm <= criteria.heart_rate_max_rise_bpm
    )

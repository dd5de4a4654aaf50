"""Screening rules over the protocol: every exclusion, caution and requirement, at its bounds."""

import pytest

from carepath_contracts import (
    DosingWeightBasis,
    HistoryFlag,
    Medication,
    ScreeningOutcome,
    ScreeningReason,
    Vitals,
)
from carepath_intake.domain import (
    FindingKind,
    ImplausibleMeasurementsError,
    ScreeningRules,
    screen,
    unsupported_protocol_settings,
)

from .builders import CALM_VITALS, PROTOCOL, RULES, eligible_form, pcl5_items, with_changes

SCREENING = PROTOCOL.screening
GATE = PROTOCOL.check_in_gate
CUT_POINT = PROTOCOL.pcl5.probable_ptsd_at_or_above
ADULT = 40


def outcome_and_codes(form, age=ADULT, rules=RULES):
    result = screen(form, age, rules)
    return result.outcome, result.reason_codes


def vitals(**changes) -> Vitals:
    return CALM_VITALS.model_copy(update=changes)


def test_the_default_protocol_holds_the_clinical_rules_numbers():
    assert (SCREENING.age_min_years, SCREENING.age_max_years) == (18, 75)
    assert CUT_POINT == 33
    assert (GATE.systolic_max_mmhg, GATE.diastolic_max_mmhg) == (140, 90)
    assert SCREENING.bmi_caution_at_or_above == 35


def test_a_form_that_meets_every_rule_is_eligible_without_reasons():
    result = screen(eligible_form(), ADULT, RULES)

    assert result.outcome == ScreeningOutcome.ELIGIBLE
    assert result.findings == ()
    assert result.protocol == PROTOCOL.ref


@pytest.mark.parametrize("flag", SCREENING.exclusions, ids=str)
def test_each_exclusion_makes_the_patient_ineligible_with_its_reason(flag: HistoryFlag):
    assert outcome_and_codes(eligible_form(history=[flag])) == (
        ScreeningOutcome.INELIGIBLE,
        [ScreeningReason(flag.value)],
    )


@pytest.mark.parametrize("flag", SCREENING.cautions, ids=str)
def test_each_history_caution_needs_review_with_its_reason(flag: HistoryFlag):
    assert outcome_and_codes(eligible_form(history=[flag])) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason(flag.value)],
    )


@pytest.mark.parametrize(
    ("medication", "reason"),
    [
        (Medication.BENZODIAZEPINE, ScreeningReason.BENZODIAZEPINE_USE),
        (Medication.MAOI, ScreeningReason.MAOI_USE),
    ],
)
def test_each_caution_medication_needs_review_with_its_reason(medication, reason):
    assert medication in SCREENING.caution_medications
    assert outcome_and_codes(eligible_form(current_medications=[medication])) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [reason],
    )


def test_medications_the_protocol_does_not_name_change_nothing():
    form = eligible_form(current_medications=[Medication.SSRI, Medication.ANTIHYPERTENSIVE])

    assert outcome_and_codes(form) == (ScreeningOutcome.ELIGIBLE, [])


def test_pcl5_one_below_the_cut_point_is_ineligible():
    result = screen(eligible_form(pcl5_items=pcl5_items(CUT_POINT - 1)), ADULT, RULES)

    assert result.outcome == ScreeningOutcome.INELIGIBLE
    assert result.reason_codes == [ScreeningReason.PCL5_BELOW_CUT_POINT]
    assert result.baseline_pcl5.total == CUT_POINT - 1


def test_pcl5_at_the_cut_point_is_eligible():
    result = screen(eligible_form(pcl5_items=pcl5_items(CUT_POINT)), ADULT, RULES)

    assert result.outcome == ScreeningOutcome.ELIGIBLE
    assert result.baseline_pcl5.total == CUT_POINT
    assert result.baseline_pcl5.probable_ptsd


def test_the_baseline_carries_cluster_scores_and_the_provisional_diagnosis():
    items = [3, 3, 2, 3, 2, 3, 3, 2, 1, 3, 3, 2, 3, 4, 3, 2, 3, 3, 2, 2]
    pcl5 = screen(eligible_form(pcl5_items=items), ADULT, RULES).baseline_pcl5

    assert (pcl5.total, pcl5.cluster_b, pcl5.cluster_c, pcl5.cluster_d, pcl5.cluster_e) == (
        52,
        13,
        6,
        18,
        15,
    )
    assert pcl5.provisional_diagnosis


@pytest.mark.parametrize(
    ("age", "outcome"),
    [
        (SCREENING.age_min_years - 1, ScreeningOutcome.INELIGIBLE),
        (SCREENING.age_min_years, ScreeningOutcome.ELIGIBLE),
        (SCREENING.age_max_years, ScreeningOutcome.ELIGIBLE),
        (SCREENING.age_max_years + 1, ScreeningOutcome.INELIGIBLE),
    ],
)
def test_age_limits_are_inclusive(age: int, outcome: ScreeningOutcome):
    expected = [] if outcome == ScreeningOutcome.ELIGIBLE else [ScreeningReason.AGE_OUT_OF_RANGE]

    assert outcome_and_codes(eligible_form(), age=age) == (outcome, expected)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"consent_given": False}, ScreeningReason.NO_CONSENT),
        ({"escort_named": False}, ScreeningReason.NO_ESCORT),
        ({"weight_kg": None}, ScreeningReason.WEIGHT_MISSING),
    ],
    ids=["consent", "escort", "weight"],
)
def test_each_unmet_requirement_makes_the_patient_ineligible(changes, reason):
    result = screen(eligible_form(**changes), ADULT, RULES)

    assert (result.outcome, result.reason_codes) == (ScreeningOutcome.INELIGIBLE, [reason])
    assert {finding.kind for finding in result.findings} == {FindingKind.UNMET_REQUIREMENT}


def test_a_requirement_the_protocol_drops_is_not_checked():
    rules = ScreeningRules(with_changes(PROTOCOL, "screening", requires_consent=False))

    assert outcome_and_codes(eligible_form(consent_given=False), rules=rules) == (
        ScreeningOutcome.ELIGIBLE,
        [],
    )


def test_systolic_at_the_pre_infusion_limit_is_eligible():
    form = eligible_form(vitals=vitals(systolic_mmhg=GATE.systolic_max_mmhg))

    assert outcome_and_codes(form) == (ScreeningOutcome.ELIGIBLE, [])


def test_systolic_one_above_the_pre_infusion_limit_needs_review():
    form = eligible_form(vitals=vitals(systolic_mmhg=GATE.systolic_max_mmhg + 1))
    result = screen(form, ADULT, RULES)

    assert (result.outcome, result.reason_codes) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.BLOOD_PRESSURE_ABOVE_LIMIT],
    )
    assert "141/78 mmHg" in result.findings[0].detail


def test_diastolic_at_the_pre_infusion_limit_is_eligible():
    form = eligible_form(vitals=vitals(diastolic_mmhg=GATE.diastolic_max_mmhg))

    assert outcome_and_codes(form) == (ScreeningOutcome.ELIGIBLE, [])


def test_diastolic_one_above_the_pre_infusion_limit_needs_review():
    form = eligible_form(vitals=vitals(diastolic_mmhg=GATE.diastolic_max_mmhg + 1))

    assert outcome_and_codes(form) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.BLOOD_PRESSURE_ABOVE_LIMIT],
    )


def test_bmi_at_the_caution_threshold_needs_review():
    # 140 kg at 2.00 m is a BMI of exactly 35.0.
    result = screen(eligible_form(weight_kg=140.0, height_cm=200.0), ADULT, RULES)

    assert result.bmi == SCREENING.bmi_caution_at_or_above
    assert (result.outcome, result.reason_codes) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.BMI_AT_OR_ABOVE_CAUTION],
    )


def test_bmi_just_below_the_caution_threshold_is_eligible():
    result = screen(eligible_form(weight_kg=139.6, height_cm=200.0), ADULT, RULES)

    assert result.bmi == 34.9
    assert result.outcome == ScreeningOutcome.ELIGIBLE


def test_a_missing_height_needs_review_because_bmi_is_unknown():
    result = screen(eligible_form(height_cm=None), ADULT, RULES)

    assert (result.outcome, result.reason_codes, result.bmi) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.HEIGHT_MISSING],
        None,
    )


def test_every_reason_that_applies_is_reported_not_just_the_first():
    form = eligible_form(
        history=[HistoryFlag.PSYCHOSIS, HistoryFlag.HIGH_SUICIDE_RISK, HistoryFlag.PREGNANT],
        current_medications=[Medication.BENZODIAZEPINE, Medication.MAOI],
        consent_given=False,
        escort_named=False,
        pcl5_items=pcl5_items(CUT_POINT - 10),
        vitals=vitals(systolic_mmhg=GATE.systolic_max_mmhg + 20),
        weight_kg=150.0,
        height_cm=180.0,
    )
    result = screen(form, SCREENING.age_max_years + 3, RULES)

    assert result.outcome == ScreeningOutcome.INELIGIBLE
    assert set(result.reason_codes) == {
        ScreeningReason.PSYCHOSIS,
        ScreeningReason.HIGH_SUICIDE_RISK,
        ScreeningReason.PREGNANT,
        ScreeningReason.BENZODIAZEPINE_USE,
        ScreeningReason.MAOI_USE,
        ScreeningReason.NO_CONSENT,
        ScreeningReason.NO_ESCORT,
        ScreeningReason.PCL5_BELOW_CUT_POINT,
        ScreeningReason.BLOOD_PRESSURE_ABOVE_LIMIT,
        ScreeningReason.BMI_AT_OR_ABOVE_CAUTION,
        ScreeningReason.AGE_OUT_OF_RANGE,
    }


def test_an_exclusion_outweighs_a_caution():
    form = eligible_form(history=[HistoryFlag.RECENT_STROKE, HistoryFlag.HYPERTENSION_CONTROLLED])

    assert outcome_and_codes(form) == (
        ScreeningOutcome.INELIGIBLE,
        [ScreeningReason.HYPERTENSION_CONTROLLED, ScreeningReason.RECENT_STROKE],
    )


def test_dosing_weight_is_actual_body_weight_by_default():
    result = screen(eligible_form(weight_kg=112.34, height_cm=170.0), ADULT, RULES)

    assert result.dosing_weight is not None
    assert (result.dosing_weight.kg, result.dosing_weight.basis) == (
        112.3,
        DosingWeightBasis.ACTUAL,
    )


def test_no_weight_means_no_dosing_weight():
    assert screen(eligible_form(weight_kg=None), ADULT, RULES).dosing_weight is None


def test_measures_that_give_an_impossible_bmi_are_refused():
    with pytest.raises(ImplausibleMeasurementsError, match="BMI of 400"):
        screen(eligible_form(weight_kg=400.0, height_cm=100.0), ADULT, RULES)


def test_every_caution_medication_of_the_default_protocol_has_a_reason_code():
    assert unsupported_protocol_settings(PROTOCOL) == []


def test_a_caution_medication_without_a_reason_code_is_named_at_start_up():
    protocol = with_changes(
        PROTOCOL, "screening", caution_medications=[Medication.BENZODIAZEPINE, Medication.OPIOID]
    )

    (problem,) = unsupported_protocol_settings(protocol)
    assert "opioid" in problem

"""The safety net of screening (issue 14): high suicide risk raises an urgent safety concern,
screening vitals are judged against limits, and the dosing weight is continuous and capped."""

import pytest

from carepath_contracts import (
    DosingWeightBasis,
    HistoryFlag,
    PatientScreened,
    SafetyConcern,
    SafetyConcernRaised,
    ScreeningOutcome,
    ScreeningReason,
    UrgentAction,
)
from carepath_intake.domain import screen, screen_patient

from .builders import (
    CALM_VITALS,
    NOW,
    PROTOCOL,
    RULES,
    eligible_form,
    referred_patient,
    with_changes,
)

GATE = PROTOCOL.check_in_gate
SCREENING = PROTOCOL.screening
DOSING = PROTOCOL.dosing
ADULT = 40


def outcome_and_codes(form, rules=RULES):
    result = screen(form, ADULT, rules)
    return result.outcome, result.reason_codes


def with_vitals(**changes):
    return eligible_form(vitals=CALM_VITALS.model_copy(update=changes))


def dosing_weight(weight_kg: float, height_cm: float = 180.0, **dosing_changes):
    rules = RULES
    if dosing_changes:
        rules = type(RULES)(with_changes(PROTOCOL, "dosing", **dosing_changes))
    result = screen(eligible_form(weight_kg=weight_kg, height_cm=height_cm), ADULT, rules)
    assert result.dosing_weight is not None
    return result.dosing_weight


# Finding 3: high current suicide risk routes to urgent care.


def test_high_suicide_risk_is_ineligible_and_raises_an_urgent_safety_concern():
    form = eligible_form(history=[HistoryFlag.HIGH_SUICIDE_RISK])

    transition = screen_patient(referred_patient(), form, age_years=ADULT, rules=RULES, at=NOW)

    screened, concern = transition.events
    assert isinstance(screened, PatientScreened)
    assert (screened.outcome, screened.final, screened.reason_codes) == (
        ScreeningOutcome.INELIGIBLE,
        True,
        [ScreeningReason.HIGH_SUICIDE_RISK],
    )
    assert isinstance(concern, SafetyConcernRaised)
    assert (concern.concern, concern.action) == (
        SafetyConcern.HIGH_SUICIDE_RISK,
        UrgentAction.ROUTE_TO_URGENT_CARE,
    )
    assert (concern.raised_at, concern.protocol) == (NOW, PROTOCOL.ref)


def test_another_exclusion_raises_no_safety_concern():
    form = eligible_form(history=[HistoryFlag.BREASTFEEDING])

    transition = screen_patient(referred_patient(), form, age_years=ADULT, rules=RULES, at=NOW)

    assert [type(event) for event in transition.events] == [PatientScreened]


def test_the_urgent_care_history_flags_are_protocol_data():
    assert SCREENING.urgent_care_flags == [HistoryFlag.HIGH_SUICIDE_RISK]
    assert set(SCREENING.urgent_care_flags) <= set(SCREENING.exclusions)


# Finding 7: screening vitals.


def test_heart_rate_and_spo2_outside_the_check_in_gate_need_review():
    assert outcome_and_codes(with_vitals(heart_rate_bpm=150, spo2_percent=85)) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.HEART_RATE_ABOVE_LIMIT, ScreeningReason.SPO2_BELOW_LIMIT],
    )


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"heart_rate_bpm": GATE.heart_rate_max_bpm}, []),
        ({"heart_rate_bpm": GATE.heart_rate_max_bpm + 1}, [ScreeningReason.HEART_RATE_ABOVE_LIMIT]),
        ({"spo2_percent": GATE.spo2_min_percent}, []),
        ({"spo2_percent": GATE.spo2_min_percent - 1}, [ScreeningReason.SPO2_BELOW_LIMIT]),
    ],
    ids=["hr-at-limit", "hr-above", "spo2-at-limit", "spo2-below"],
)
def test_the_check_in_gate_limits_are_inclusive_at_screening(changes, codes):
    outcome = ScreeningOutcome.NEEDS_REVIEW if codes else ScreeningOutcome.ELIGIBLE

    assert outcome_and_codes(with_vitals(**changes)) == (outcome, codes)


def test_blood_pressure_of_200_over_120_is_uncontrolled_hypertension_and_ineligible():
    assert outcome_and_codes(with_vitals(systolic_mmhg=200, diastolic_mmhg=120)) == (
        ScreeningOutcome.INELIGIBLE,
        [ScreeningReason.UNCONTROLLED_HYPERTENSION],
    )


@pytest.mark.parametrize(
    ("systolic", "diastolic", "outcome", "code"),
    [
        (180, 80, ScreeningOutcome.INELIGIBLE, ScreeningReason.UNCONTROLLED_HYPERTENSION),
        (130, 110, ScreeningOutcome.INELIGIBLE, ScreeningReason.UNCONTROLLED_HYPERTENSION),
        (179, 109, ScreeningOutcome.NEEDS_REVIEW, ScreeningReason.BLOOD_PRESSURE_ABOVE_LIMIT),
    ],
)
def test_uncontrolled_hypertension_starts_at_its_protocol_limits(
    systolic, diastolic, outcome, code
):
    assert (
        SCREENING.uncontrolled_systolic_at_or_above,
        SCREENING.uncontrolled_diastolic_at_or_above,
    ) == (180, 110)

    assert outcome_and_codes(with_vitals(systolic_mmhg=systolic, diastolic_mmhg=diastolic)) == (
        outcome,
        [code],
    )


def test_a_form_without_vitals_needs_review():
    assert outcome_and_codes(eligible_form(vitals=None)) == (
        ScreeningOutcome.NEEDS_REVIEW,
        [ScreeningReason.VITALS_MISSING],
    )


# Finding 5: a maximum dosing weight, and an adjusted weight without a step.


def test_the_dosing_weight_is_capped_at_the_protocol_maximum():
    weight = dosing_weight(400.0)

    assert (weight.kg, weight.basis) == (120.0, DosingWeightBasis.MAXIMUM)
    assert DOSING.max_dosing_weight_kg * DOSING.dose_mg_per_kg == 60.0


@pytest.mark.parametrize(
    ("weight_kg", "dosing", "basis"),
    [(120.0, 120.0, DosingWeightBasis.ACTUAL), (120.1, 120.0, DosingWeightBasis.MAXIMUM)],
)
def test_the_maximum_dosing_weight_is_inclusive(weight_kg, dosing, basis):
    weight = dosing_weight(weight_kg, 200.0)

    assert (weight.kg, weight.basis) == (dosing, basis)


def test_the_adjusted_body_weight_is_ideal_weight_plus_a_share_of_the_excess():
    weight = dosing_weight(100.0, use_adjusted_body_weight=True)

    ideal = DOSING.ideal_body_weight_bmi * 1.8**2  # 71.28 kg at 1.80 m
    assert weight.kg == round(ideal + DOSING.adjusted_body_weight_factor * (100.0 - ideal), 1)
    assert (weight.kg, weight.basis) == (82.8, DosingWeightBasis.ADJUSTED)


def test_the_adjusted_body_weight_has_no_step_at_bmi_30():
    # 97.0 kg and 97.3 kg at 1.80 m are BMI 29.9 and 30.0.
    below = dosing_weight(97.0, use_adjusted_body_weight=True)
    at = dosing_weight(97.3, use_adjusted_body_weight=True)

    assert 0 <= at.kg - below.kg <= 0.2


def test_the_adjusted_body_weight_never_raises_the_weight_of_someone_below_their_ideal():
    weight = dosing_weight(60.0, use_adjusted_body_weight=True)

    assert (weight.kg, weight.basis) == (60.0, DosingWeightBasis.ACTUAL)


def test_the_maximum_also_caps_an_adjusted_weight():
    weight = dosing_weight(300.0, use_adjusted_body_weight=True)

    assert (weight.kg, weight.basis) == (120.0, DosingWeightBasis.MAXIMUM)

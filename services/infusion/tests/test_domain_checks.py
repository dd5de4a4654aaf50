"""The pre-infusion gate and the discharge criteria, each at its protocol threshold."""

import pytest

from carepath_contracts import DeferralReason, DischargeCriterion, PregnancyTest, Vitals
from carepath_infusion.domain.checks import deferral_reasons, unmet_discharge_criteria

from .builders import CALM, PROTOCOL, checked_in, discharged
from .domain_fixtures import MONDAY

GATE = PROTOCOL.check_in_gate
DISCHARGE = PROTOCOL.discharge


def check_in_with(**changes):
    return checked_in("pt-gate", "session-gate", MONDAY, **changes).data


def vitals(**changes) -> Vitals:
    return CALM.model_copy(update=changes)


@pytest.mark.parametrize(
    ("vital", "at_limit", "past_limit", "reason"),
    [
        ("systolic_mmhg", GATE.systolic_max_mmhg, GATE.systolic_max_mmhg + 1,
         DeferralReason.SYSTOLIC_ABOVE_LIMIT),
        ("diastolic_mmhg", GATE.diastolic_max_mmhg, GATE.diastolic_max_mmhg + 1,
         DeferralReason.DIASTOLIC_ABOVE_LIMIT),
        ("heart_rate_bpm", GATE.heart_rate_max_bpm, GATE.heart_rate_max_bpm + 1,
         DeferralReason.HEART_RATE_ABOVE_LIMIT),
        ("spo2_percent", GATE.spo2_min_percent, GATE.spo2_min_percent - 1,
         DeferralReason.SPO2_BELOW_LIMIT),
    ],
)  # fmt: skip
def test_each_vital_passes_the_gate_at_its_limit_and_defers_past_it(
    vital, at_limit, past_limit, reason
):
    assert deferral_reasons(check_in_with(vitals=vitals(**{vital: at_limit})), GATE) == []
    assert deferral_reasons(check_in_with(vitals=vitals(**{vital: past_limit})), GATE) == [reason]


def test_a_positive_pregnancy_test_defers_and_not_applicable_passes():
    positive = check_in_with(pregnancy_test=PregnancyTest.POSITIVE)
    assert deferral_reasons(positive, GATE) == [DeferralReason.PREGNANCY_TEST_POSITIVE]
    for result in (PregnancyTest.NEGATIVE, PregnancyTest.NOT_APPLICABLE):
        assert deferral_reasons(check_in_with(pregnancy_test=result), GATE) == []


def test_an_absent_escort_defers():
    assert deferral_reasons(check_in_with(escort_present=False), GATE) == [
        DeferralReason.ESCORT_ABSENT
    ]


def test_every_failed_check_is_named_at_once():
    failing = check_in_with(
        vitals=vitals(systolic_mmhg=GATE.systolic_max_mmhg + 20, spo2_percent=90),
        escort_present=False,
    )
    assert deferral_reasons(failing, GATE) == sorted(
        [
            DeferralReason.SYSTOLIC_ABOVE_LIMIT,
            DeferralReason.SPO2_BELOW_LIMIT,
            DeferralReason.ESCORT_ABSENT,
        ]
    )


def discharge_with(**changes):
    values = {
        "dissociation_resolved": True,
        "escort_present": True,
        "no_driving_instruction_given": True,
    }
    event = discharged("pt-d", "session-d", MONDAY, vitals=changes.pop("vitals", CALM))
    return event.data.model_copy(update=values | changes)


def test_discharge_after_the_minimum_observation_meets_every_criterion():
    met = unmet_discharge_criteria(
        discharge_with(), CALM, DISCHARGE.min_observation_minutes, DISCHARGE
    )
    assert met == []


def test_discharge_a_minute_before_the_observation_minimum_is_flagged():
    unmet = unmet_discharge_criteria(
        discharge_with(), CALM, DISCHARGE.min_observation_minutes - 1, DISCHARGE
    )
    assert unmet == [DischargeCriterion.OBSERVATION_TOO_SHORT]


@pytest.mark.parametrize(
    ("vital", "rise"),
    [
        ("systolic_mmhg", DISCHARGE.systolic_max_rise_mmhg),
        ("diastolic_mmhg", DISCHARGE.diastolic_max_rise_mmhg),
        ("heart_rate_bpm", DISCHARGE.heart_rate_max_rise_bpm),
    ],
)
def test_vitals_are_near_baseline_up_to_the_allowed_rise_and_not_beyond(vital, rise):
    minutes = DISCHARGE.min_observation_minutes
    at_limit = vitals(**{vital: getattr(CALM, vital) + rise})
    beyond = vitals(**{vital: getattr(CALM, vital) + rise + 1})
    assert unmet_discharge_criteria(discharge_with(vitals=at_limit), CALM, minutes, DISCHARGE) == []
    assert unmet_discharge_criteria(discharge_with(vitals=beyond), CALM, minutes, DISCHARGE) == [
        DischargeCriterion.VITALS_NOT_NEAR_BASELINE
    ]


def test_low_oxygen_at_discharge_is_not_near_baseline():
    low = vitals(spo2_percent=DISCHARGE.spo2_min_percent - 1)
    minutes = DISCHARGE.min_observation_minutes
    assert unmet_discharge_criteria(discharge_with(vitals=low), CALM, minutes, DISCHARGE) == [
        DischargeCriterion.VITALS_NOT_NEAR_BASELINE
    ]


@pytest.mark.parametrize(
    ("field", "criterion"),
    [
        ("dissociation_resolved", DischargeCriterion.DISSOCIATION_UNRESOLVED),
        ("escort_present", DischargeCriterion.ESCORT_ABSENT),
        ("no_driving_instruction_given", DischargeCriterion.NO_DRIVING_INSTRUCTION_MISSING),
    ],
)
def test_each_discharge_requirement_is_flagged_when_missing(field, criterion):
    minutes = DISCHARGE.min_observation_minutes
    unmet = unmet_discharge_criteria(discharge_with(**{field: False}), CALM, minutes, DISCHARGE)
    assert unmet == [criterion]

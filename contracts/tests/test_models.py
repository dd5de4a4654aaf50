"""Event data models: bounds, codes, tolerant reading, and messages that name field and bound."""

import pytest
from pydantic import ValidationError

from carepath_contracts import (
    REGISTRY,
    AssessmentScored,
    HistoryFlag,
    IesrScore,
    Instrument,
    ScreeningSubmitted,
    SessionDeferred,
    Vitals,
    describe_validation_error,
)

from .conftest import T0


def _problems(model: type, **values) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model(**values)
    return describe_validation_error(caught.value)


def _screening(**changes) -> dict:
    example = REGISTRY.spec_for(ScreeningSubmitted).example().data.model_dump()
    return example | changes


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("systolic_mmhg", 39, "systolic_mmhg: must be at least 40"),
        ("systolic_mmhg", 301, "systolic_mmhg: must be at most 300"),
        ("diastolic_mmhg", 19, "diastolic_mmhg: must be at least 20"),
        ("diastolic_mmhg", 201, "diastolic_mmhg: must be at most 200"),
        ("heart_rate_bpm", 19, "heart_rate_bpm: must be at least 20"),
        ("heart_rate_bpm", 301, "heart_rate_bpm: must be at most 300"),
        ("spo2_percent", 49, "spo2_percent: must be at least 50"),
        ("spo2_percent", 101, "spo2_percent: must be at most 100"),
    ],
)
def test_physiologically_impossible_vitals_are_rejected(field, value, message):
    vitals = {"systolic_mmhg": 120, "diastolic_mmhg": 80, "heart_rate_bpm": 70, "spo2_percent": 98}

    assert _problems(Vitals, **(vitals | {field: value})) == [message]


@pytest.mark.parametrize(("weight", "bound"), [(29.9, "at least 30"), (400.5, "at most 400")])
def test_body_weight_must_be_possible(weight, bound):
    assert _problems(ScreeningSubmitted, **_screening(weight_kg=weight)) == [
        f"weight_kg: must be {bound}"
    ]


def test_pcl5_items_must_be_exactly_twenty_and_each_zero_to_four():
    assert _problems(ScreeningSubmitted, **_screening(pcl5_items=[2] * 19)) == [
        "pcl5_items: PCL-5 needs exactly 20 items, got 19 (item 20 missing)"
    ]
    assert _problems(ScreeningSubmitted, **_screening(pcl5_items=[2] * 12 + [-1] + [2] * 7)) == [
        "pcl5_items[12]: item 13 must be at least 0"
    ]


def test_history_and_medication_codes_are_deduplicated_and_sorted():
    screening = ScreeningSubmitted(
        **_screening(history=["recent_stroke", "psychosis", "recent_stroke"])
    )

    assert screening.history == [HistoryFlag.PSYCHOSIS, HistoryFlag.RECENT_STROKE]


def test_unknown_codes_are_rejected_with_the_allowed_values():
    (problem,) = _problems(ScreeningSubmitted, **_screening(history=["headache"]))

    assert problem.startswith("history[0]: item 1 must be one of 'psychosis'")


def test_deferral_needs_at_least_one_reason():
    example = REGISTRY.spec_for(SessionDeferred).example().data.model_dump()

    assert _problems(SessionDeferred, **(example | {"reason_codes": []})) == [
        "reason_codes: needs at least 1 items, got 0"
    ]


def test_unknown_fields_are_ignored_and_never_written():
    screening = ScreeningSubmitted(**_screening(first_name="Jane", notes="called twice"))

    dumped = screening.model_dump()

    assert "first_name" not in dumped
    assert "notes" not in dumped


def test_events_are_immutable():
    screening = ScreeningSubmitted(**_screening())

    with pytest.raises(ValidationError, match="frozen"):
        screening.weight_kg = 90  # type: ignore[misc]


def test_naive_timestamps_are_rejected_in_data():
    (problem,) = _problems(ScreeningSubmitted, **_screening(submitted_at=T0.replace(tzinfo=None)))

    assert problem.startswith("submitted_at: ")
    assert "no timezone" in problem


def test_a_score_must_belong_to_the_scored_instrument():
    example = REGISTRY.spec_for(AssessmentScored).example().data

    with pytest.raises(ValidationError, match="score is a pcl5 score but instrument is iesr"):
        AssessmentScored(**(example.model_dump() | {"instrument": Instrument.IESR}))


def test_an_iesr_score_is_read_back_as_an_iesr_score():
    from carepath_contracts.examples import IESR_SCORED_EXAMPLE

    decoded = AssessmentScored.model_validate_json(IESR_SCORED_EXAMPLE.model_dump_json())

    assert isinstance(decoded.score, IesrScore)
    assert decoded == IESR_SCORED_EXAMPLE

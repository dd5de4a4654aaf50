"""The shared FHIR plumbing: every definition and building block passes the R4B models, codes
come only from where they may, and the checks themselves refuse a wrong resource."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from carepath_contracts import (
    LOINC_CODES,
    Instrument,
    ScreeningReason,
    Timepoint,
    Vitals,
    VitalSign,
    default_protocol,
    score_iesr,
    score_pcl5,
)
from carepath_runtime.fhir import (
    CODE_SYSTEMS,
    LOINC,
    UnknownCodeError,
    body_weight,
    carepath_coding,
    collection,
    definitions,
    fhir_id,
    has_loinc,
    questionnaire_response,
    score_observation,
    vital_signs,
)
from carepath_testing.fhir import FhirProblem, validate_bundle, validate_resource

AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PROTOCOL = default_protocol()


def test_every_definition_is_a_valid_resource_and_every_code_system_is_complete():
    resources = definitions()
    counts = validate_bundle(collection(resources, at=AT))
    assert counts == {"CodeSystem": len(CODE_SYSTEMS), "Questionnaire": 2}
    (reasons,) = [r for r in resources if r["id"] == "screening-reason"]
    assert {c["code"] for c in reasons["concept"]} == {r.value for r in ScreeningReason}
    assert reasons["url"] == "https://carepath.example/fhir/CodeSystem/screening-reason"


def test_questionnaires_number_their_items_and_carry_no_wording():
    by_id = {r["id"]: r for r in definitions() if r["resourceType"] == "Questionnaire"}
    assert [item["linkId"] for item in by_id["iesr"]["item"]] == [str(n) for n in range(1, 23)]
    assert len(by_id["pcl5"]["item"]) == 20
    assert all("text" not in item for q in by_id.values() for item in q["item"])


def test_vital_signs_are_a_panel_of_loinc_coded_members():
    vitals = Vitals(
        systolic_mmhg=128,
        diastolic_mmhg=84,
        heart_rate_bpm=72,
        spo2_percent=97,
        respiratory_rate_per_min=14,
    )
    resources = vital_signs(vitals, id_prefix="vs-s1", patient_id="p-1", at=AT)
    validate_bundle(collection(resources, at=AT))
    panel, blood_pressure, *others = resources
    assert _loinc(panel["code"]) == ["85353-1"]
    assert [m["reference"] for m in panel["hasMember"]] == [
        f"Observation/{r['id']}" for r in resources[1:]
    ]
    assert _loinc(blood_pressure["code"]) == ["85354-9"]
    assert [
        (_loinc(c["code"]), c["valueQuantity"]["value"]) for c in blood_pressure["component"]
    ] == [(["8480-6"], 128), (["8462-4"], 84)]
    assert [(_loinc(o["code"]), o["valueQuantity"]["code"]) for o in others] == [
        (["8867-4"], "/min"),
        (["2708-6", "59408-5"], "%"),
        (["9279-1"], "/min"),
    ]


def test_respiratory_rate_is_left_out_when_not_measured():
    vitals = Vitals(systolic_mmhg=128, diastolic_mmhg=84, heart_rate_bpm=72, spo2_percent=97)
    resources = vital_signs(vitals, id_prefix="vs", patient_id="p-1", at=AT)
    assert len(resources) == 4 and "9279-1" not in str(resources)


def test_body_weight_uses_its_loinc_code_in_kilograms():
    weight = body_weight(82.5, resource_id="w-1", patient_id="p-1", at=AT)
    validate_resource(weight)
    assert _loinc(weight["code"]) == list(LOINC_CODES["weight_kg"])
    assert weight["valueQuantity"] == {
        "value": 82.5,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }


@pytest.mark.parametrize("instrument", list(Instrument))
def test_a_scored_questionnaire_is_a_response_and_an_observation_of_every_subscale(instrument):
    items = [(n * 3) % 5 for n in range(20 if instrument is Instrument.PCL5 else 22)]
    score = (score_pcl5 if instrument is Instrument.PCL5 else score_iesr)(items, PROTOCOL)
    response = questionnaire_response(
        resource_id="qr-1",
        instrument=instrument,
        items=items,
        patient_id="p-1",
        authored=AT,
        timepoint=Timepoint.WEEK_4,
    )
    observation = score_observation(
        resource_id="score-1",
        score=score,
        patient_id="p-1",
        effective=AT,
        timepoint=Timepoint.WEEK_4,
        derived_from=response,
        comparisons={"change-from-baseline": -12, "response": True, "remission": None},
    )
    validate_bundle(collection([response, observation], at=AT), closed=False)
    assert [i["answer"][0]["valueInteger"] for i in response["item"]] == items
    assert observation["valueInteger"] == score.total
    assert observation["derivedFrom"] == [{"reference": "QuestionnaireResponse/qr-1"}]
    codes = [c["code"]["coding"][0]["code"] for c in observation["component"]]
    fields = set(score.model_dump()) - {"instrument", "total"}
    assert len(codes) == len(fields) + 2  # every subscale and result, and the two comparisons
    assert "remission" not in codes
    assert "http://loinc.org" not in str(observation)  # no verified LOINC code: none guessed


def test_an_unknown_carepath_code_is_refused_where_it_is_built():
    with pytest.raises(UnknownCodeError, match=r"not a code of .*screening-reason"):
        carepath_coding("screening-reason", "feeling_fine")


def test_fhir_ids_are_valid_and_distinct_for_distinct_carepath_ids():
    assert fhir_id("vs", "s_1") != fhir_id("vs", "s-1")
    long = fhir_id("session", "x" * 64, "checkin")
    assert len(long) <= 64 and long != fhir_id("session", "x" * 63, "checkin")
    for made in (fhir_id("vs", "s_1"), long):
        validate_resource(
            {
                "resourceType": "Flag",
                "id": made,
                "status": "active",
                "code": {"text": "x"},
                "subject": {"reference": "Patient/p-1"},
            }
        )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"status": "finalised"}, "status 'finalised' is not one of"),
        ({"code": {"coding": [{"system": LOINC, "code": "44249-1"}]}}, "LOINC 44249-1 is not"),
        ({"code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}}, "unexpected"),
        (
            {
                "code": {
                    "coding": [{"system": CODE_SYSTEMS["observation"].url, "code": "pcl5-mood"}]
                }
            },
            "not defined in",
        ),
    ],
)
def test_the_checks_refuse_a_wrong_status_and_guessed_or_undefined_codes(change, problem):
    weight = body_weight(82.5, resource_id="w-1", patient_id="p-1", at=AT)
    with pytest.raises(FhirProblem, match=problem):
        validate_resource({**weight, **change})


def test_the_models_refuse_an_element_fhir_does_not_have():
    weight = body_weight(82.5, resource_id="w-1", patient_id="p-1", at=AT)
    with pytest.raises(ValidationError, match="weight_kg"):
        validate_resource({**weight, "weight_kg": 82.5})


def test_a_closed_bundle_must_hold_what_its_resources_point_to():
    panel = vital_signs(
        Vitals(systolic_mmhg=120, diastolic_mmhg=80, heart_rate_bpm=60, spo2_percent=99),
        id_prefix="vs",
        patient_id="p-1",
        at=AT,
    )
    with pytest.raises(FhirProblem, match="Patient/p-1"):
        validate_bundle(collection(panel, at=AT), closed=True)


def _loinc(concept) -> list[str]:
    return [c["code"] for c in concept["coding"] if c["system"] == LOINC]


def test_every_vital_the_contracts_know_has_its_loinc_code_and_unit():
    assert [vital for vital in VitalSign if not has_loinc(vital)] == []

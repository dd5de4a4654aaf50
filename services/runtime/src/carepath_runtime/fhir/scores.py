"""Questionnaires as FHIR: the item responses (QuestionnaireResponse: item numbers and
scores, never item wording) and the scored result (an Observation with the total as its value
and every subscale, cut-point result and comparison as components), coded in Carepath's
`observation` code system because no verified LOINC code is in hand for the PCL-5."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from carepath_contracts import ITEM_COUNTS, IesrScore, Instrument, Pcl5Score, Timepoint
from carepath_contracts.instruments import ITEM_MAX
from carepath_runtime.fhir.resources import (
    Resource,
    instant,
    patient_reference,
    quantity,
    reference,
)
from carepath_runtime.fhir.terminology import (
    OBSERVATION_CATEGORY,
    carepath_coding,
    carepath_concept,
    extension_url,
    hl7_concept,
    questionnaire_url,
    score_code,
)

TIMEPOINT_EXTENSION = extension_url("assessment-timepoint")
_SURVEY = hl7_concept(OBSERVATION_CATEGORY, "survey", "Survey")
_LABELS = {Instrument.PCL5: "PCL-5", Instrument.IESR: "IES-R"}


def questionnaire_response(
    *,
    resource_id: str,
    instrument: Instrument,
    items: Sequence[int],
    patient_id: str,
    authored: datetime,
    timepoint: Timepoint | None,
) -> Resource:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id,
        **_timepoint(timepoint),
        "questionnaire": questionnaire_url(instrument),
        "status": "completed",
        "subject": patient_reference(patient_id),
        "authored": instant(authored),
        "item": [
            {"linkId": str(number), "answer": [{"valueInteger": score}]}
            for number, score in enumerate(items, start=1)
        ],
    }


def score_observation(
    *,
    resource_id: str,
    score: Pcl5Score | IesrScore,
    patient_id: str,
    effective: datetime,
    timepoint: Timepoint | None,
    derived_from: Resource | None = None,
    comparisons: Mapping[str, int | bool | None] | None = None,
) -> Resource:
    """`comparisons`: Carepath observation codes (`change-from-baseline`, `response`, ...)
    and their values; None values are left out (nothing to compare with)."""
    prefix = score.instrument.value
    fields = score.model_dump(exclude={"instrument", "total"})
    components = [_component(score_code(prefix, name), value) for name, value in fields.items()]
    components += [
        _component(code, value) for code, value in (comparisons or {}).items() if value is not None
    ]
    observation = {
        "resourceType": "Observation",
        "id": resource_id,
        **_timepoint(timepoint),
        "status": "final",
        "category": [_SURVEY],
        "code": carepath_concept("observation", score_code(prefix, "total")),
        "subject": patient_reference(patient_id),
        "effectiveDateTime": instant(effective),
        "valueInteger": score.total,
        "component": components,
    }
    if derived_from is not None:
        observation["derivedFrom"] = [reference(derived_from)]
    return observation


def questionnaire(instrument: Instrument) -> Resource:
    """The definition a response points to: numbered items rated 0-4, without their wording
    (the IES-R text's licence is unclear; CLINICAL_RULES keeps numbers and scores only)."""
    return {
        "resourceType": "Questionnaire",
        "id": instrument.value,
        "url": questionnaire_url(instrument),
        "name": instrument.value.upper(),
        "title": _LABELS[instrument],
        "status": "active",
        "subjectType": ["Patient"],
        "code": [carepath_coding("instrument", instrument.value)],
        "item": [
            {
                "linkId": str(number),
                "prefix": str(number),
                "type": "integer",
                "required": True,
                "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/maxValue",
                        "valueInteger": ITEM_MAX,
                    },
                ],
            }
            for number in range(1, ITEM_COUNTS[instrument] + 1)
        ],
    }


def _timepoint(timepoint: Timepoint | None) -> Resource:
    if timepoint is None:
        return {}
    coding = carepath_coding("timepoint", timepoint.value)
    return {"extension": [{"url": TIMEPOINT_EXTENSION, "valueCoding": coding}]}


def _component(code: str, value: object) -> Resource:
    component: Resource = {"code": carepath_concept("observation", code)}
    if isinstance(value, bool):
        component["valueBoolean"] = value
    elif isinstance(value, int):
        component["valueInteger"] = value
    elif isinstance(value, float):  # subscale means: a component has no decimal value type
        component["valueQuantity"] = quantity(value, "{score}")
    elif isinstance(value, StrEnum | str):
        component["valueCodeableConcept"] = carepath_concept("iesr-subscale", str(value))
    else:
        raise TypeError(f"no FHIR component value type for {code}={value!r}")
    return component

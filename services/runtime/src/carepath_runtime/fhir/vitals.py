"""Vital signs as FHIR Observations with the LOINC codes CLINICAL_RULES gives (vital-signs
category): a panel (85353-1) whose members are the blood-pressure panel (85354-9, systolic
8480-6 and diastolic 8462-4 as components), heart rate, SpO2 and respiratory rate."""

from datetime import datetime

from carepath_contracts import LOINC_CODES, Vitals, VitalSign, VitalUnit
from carepath_runtime.fhir.resources import (
    Resource,
    instant,
    patient_reference,
    quantity,
    reference,
)
from carepath_runtime.fhir.terminology import OBSERVATION_CATEGORY, hl7_concept, loinc_concept

UNITS = {
    VitalSign.SYSTOLIC_MMHG: VitalUnit.MMHG,
    VitalSign.DIASTOLIC_MMHG: VitalUnit.MMHG,
    VitalSign.HEART_RATE_BPM: VitalUnit.PER_MIN,
    VitalSign.SPO2_PERCENT: VitalUnit.PERCENT,
    VitalSign.RESPIRATORY_RATE_PER_MIN: VitalUnit.PER_MIN,
    VitalSign.MEAN_ARTERIAL_PRESSURE_MMHG: VitalUnit.MMHG,
}
TEXT = {
    VitalSign.SYSTOLIC_MMHG: "Systolic blood pressure",
    VitalSign.DIASTOLIC_MMHG: "Diastolic blood pressure",
    VitalSign.HEART_RATE_BPM: "Heart rate",
    VitalSign.SPO2_PERCENT: "Oxygen saturation (SpO2)",
    VitalSign.RESPIRATORY_RATE_PER_MIN: "Respiratory rate",
    VitalSign.MEAN_ARTERIAL_PRESSURE_MMHG: "Mean blood pressure",
}
_VITAL_SIGNS = hl7_concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")


def vital_signs(vitals: Vitals, *, id_prefix: str, patient_id: str, at: datetime) -> list[Resource]:
    """The panel first, then its members; ids are `id_prefix` plus the vital's name."""
    blood_pressure = {
        **_observation(f"{id_prefix}-bp", "blood_pressure_panel", "Blood pressure", patient_id, at),
        "component": [
            _component(VitalSign.SYSTOLIC_MMHG, vitals.systolic_mmhg),
            _component(VitalSign.DIASTOLIC_MMHG, vitals.diastolic_mmhg),
        ],
    }
    members = [blood_pressure]
    for vital in (
        VitalSign.HEART_RATE_BPM,
        VitalSign.SPO2_PERCENT,
        VitalSign.RESPIRATORY_RATE_PER_MIN,
    ):
        value = getattr(vitals, vital.value)
        if value is not None:  # respiratory rate is optional in the contracts
            members.append(
                vital_reading(
                    vital,
                    value,
                    resource_id=f"{id_prefix}-{_short(vital)}",
                    patient_id=patient_id,
                    at=at,
                )
            )
    panel = {
        **_observation(id_prefix, "vital_signs_panel", "Vital signs", patient_id, at),
        "hasMember": [reference(member) for member in members],
    }
    return [panel, *members]


def has_loinc(vital: VitalSign) -> bool:
    """Whether CLINICAL_RULES gives this vital a LOINC code (a vital added later may have none:
    it is then left out, never coded by guess)."""
    return vital in UNITS and vital.value in LOINC_CODES


def vital_reading(
    vital: VitalSign, value: float, *, resource_id: str, patient_id: str, at: datetime
) -> Resource:
    """One vital sign measured on its own (e.g. the reading a safety alert was raised on)."""
    return {
        **_observation(resource_id, vital.value, TEXT[vital], patient_id, at),
        "valueQuantity": quantity(value, UNITS[vital].value),
    }


def body_weight(weight_kg: float, *, resource_id: str, patient_id: str, at: datetime) -> Resource:
    return {
        **_observation(resource_id, "weight_kg", "Body weight", patient_id, at),
        "valueQuantity": quantity(weight_kg, "kg"),
    }


def _observation(
    resource_id: str, field: str, text: str, patient_id: str, at: datetime
) -> Resource:
    return {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": [_VITAL_SIGNS],
        "code": loinc_concept(field, text),
        "subject": patient_reference(patient_id),
        "effectiveDateTime": instant(at),
    }


def _component(vital: VitalSign, value: float) -> Resource:
    return {
        "code": loinc_concept(vital.value, TEXT[vital]),
        "valueQuantity": quantity(value, UNITS[vital].value),
    }


def _short(vital: VitalSign) -> str:
    return vital.value.split("_")[0]

"""Where every code in Carepath's FHIR view comes from, defined once for all three services.

LOINC only for the vital signs CLINICAL_RULES lists (the contracts' `LOINC_CODES`), UCUM for
units, a few HL7 FHIR code systems for categories; everything else, including the PCL-5 and
IES-R (no verified LOINC code in hand), from Carepath's own code systems under one canonical
base. An unknown Carepath code raises: a typo cannot reach a Bundle.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from carepath_contracts import (
    LOINC_CODES,
    AbortReason,
    CancellationReason,
    DeferralReason,
    DosingWeightBasis,
    IesrScore,
    IesrSubscale,
    Instrument,
    MaintenanceReason,
    PathwayOutcome,
    Pcl5Score,
    ReferralSource,
    ResponderRole,
    ReviewOutcome,
    ReviewTrigger,
    SafetyAction,
    SafetyRule,
    ScreeningOutcome,
    ScreeningReason,
    SessionKind,
    SuspensionReason,
    TherapyModality,
    Timepoint,
    Urgency,
    WithdrawalReason,
)

CANONICAL_BASE = "https://carepath.example/fhir"
"""Base of every Carepath canonical URL (code systems, extensions, questionnaires, identifier
systems) and of the resources' full URLs. `carepath.example` is a reserved example domain: an
organisation publishing these definitions replaces it here, and only here."""

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
ADVERSE_EVENT_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"


def identifier_system(kind: str) -> str:
    """The system of a Carepath identifier, e.g. `patient-id`, `session-id`."""
    return f"{CANONICAL_BASE}/sid/{kind}"


def extension_url(name: str) -> str:
    return f"{CANONICAL_BASE}/StructureDefinition/{name}"


def questionnaire_url(instrument: Instrument) -> str:
    return f"{CANONICAL_BASE}/Questionnaire/{instrument.value}"


@dataclass(frozen=True)
class CodeSystemSpec:
    name: str
    title: str
    concepts: Mapping[str, str]
    """code -> display"""

    @property
    def url(self) -> str:
        return f"{CANONICAL_BASE}/CodeSystem/{self.name}"


def _enum_system(name: str, title: str, codes: type[StrEnum]) -> CodeSystemSpec:
    return CodeSystemSpec(name, title, {c.value: c.value.replace("_", " ") for c in codes})


def _score_codes(model: type[BaseModel], prefix: str) -> dict[str, str]:
    """One code per field of a contracts score model (the field names are the meaning)."""
    return {
        score_code(prefix, field): info.description or field.replace("_", " ")
        for field, info in model.model_fields.items()
        if field != "instrument"
    }


def score_code(prefix: str, field: str) -> str:
    return f"{prefix}-{field.replace('_', '-')}"


PATHWAY_CONCEPTS = {
    "ketamine-ptsd-pathway": "Ketamine-assisted therapy pathway for PTSD (the referral)",
    "induction-course": "Induction course of ketamine infusions",
    "maintenance-series": "Maintenance ketamine infusions",
    "follow-up": "Follow-up: integration therapy and symptom assessments",
    "ketamine-infusion": "Ketamine IV infusion session",
    "racemic-ketamine": "Racemic ketamine",
    "intravenous": "Intravenous",
    "assessment": "Symptom assessment",
    "therapy-session": "Trauma-focused psychotherapy session after an infusion",
    "maintenance-infusion": "Maintenance infusion at the recommended interval",
    "clinical-review": "Clinical review of the pathway",
    "review-outcome": "Outcome of a clinical review",
}

OBSERVATION_CONCEPTS = {
    **_score_codes(Pcl5Score, "pcl5"),
    **_score_codes(IesrScore, "iesr"),
    "change-from-baseline": "Total minus the baseline total (negative is better)",
    "change-from-previous": "Total minus the previous total on the same instrument",
    "response": "Response: a drop from baseline of at least the protocol's threshold",
    "remission": "Remission: total below the protocol's remission threshold",
    "screening-outcome": "Screening outcome under the protocol",
    "dosing-weight": "Dosing weight (the body weight the dose is calculated from)",
    "pathway-outcome": "Where the patient ended the pathway (by the decision instrument)",
}

CODE_SYSTEMS: dict[str, CodeSystemSpec] = {
    spec.name: spec
    for spec in (
        CodeSystemSpec("pathway", "Carepath pathway concepts", PATHWAY_CONCEPTS),
        CodeSystemSpec("observation", "Carepath observation codes", OBSERVATION_CONCEPTS),
        _enum_system("instrument", "Symptom questionnaire", Instrument),
        _enum_system("iesr-subscale", "IES-R subscale", IesrSubscale),
        _enum_system("timepoint", "Assessment timepoint", Timepoint),
        _enum_system("responder-role", "First-responder role", ResponderRole),
        _enum_system("referral-source", "Referral source", ReferralSource),
        _enum_system("screening-outcome", "Screening outcome", ScreeningOutcome),
        _enum_system("screening-reason", "Screening reason", ScreeningReason),
        _enum_system("dosing-weight-basis", "Dosing weight basis", DosingWeightBasis),
        _enum_system("withdrawal-reason", "Withdrawal reason", WithdrawalReason),
        _enum_system("session-kind", "Infusion session kind", SessionKind),
        _enum_system("deferral-reason", "Session deferral reason", DeferralReason),
        _enum_system("abort-reason", "Infusion abort reason", AbortReason),
        _enum_system("cancellation-reason", "Session cancellation reason", CancellationReason),
        _enum_system("suspension-reason", "Course suspension reason", SuspensionReason),
        _enum_system("safety-rule", "Intra-infusion safety rule", SafetyRule),
        _enum_system("safety-action", "Action a safety rule asks for", SafetyAction),
        _enum_system("therapy-modality", "Trauma-focused psychotherapy", TherapyModality),
        _enum_system("maintenance-reason", "Maintenance recommendation reason", MaintenanceReason),
        _enum_system("review-trigger", "Clinical review trigger", ReviewTrigger),
        _enum_system("urgency", "Clinical review urgency", Urgency),
        _enum_system("review-outcome", "What a clinical review decided", ReviewOutcome),
        _enum_system("pathway-outcome", "Where the patient ended the pathway", PathwayOutcome),
    )
}


class UnknownCodeError(LookupError):
    """A code that is not in the Carepath code system named (a programming error)."""


def carepath_coding(system: str, code: str) -> dict[str, Any]:
    spec = CODE_SYSTEMS.get(system)
    if spec is None:
        raise UnknownCodeError(f"no Carepath code system named {system!r}")
    display = spec.concepts.get(str(code))
    if display is None:
        raise UnknownCodeError(f"{code!r} is not a code of {spec.url}")
    return {"system": spec.url, "code": str(code), "display": display}


def carepath_concept(system: str, code: str) -> dict[str, Any]:
    """A CodeableConcept with one Carepath coding."""
    coding = carepath_coding(system, code)
    return {"coding": [coding], "text": coding["display"]}


def loinc_concept(field: str, text: str) -> dict[str, Any]:
    """The LOINC code(s) CLINICAL_RULES gives for a vital-sign field (KeyError if none)."""
    return {
        "coding": [{"system": LOINC, "code": code} for code in LOINC_CODES[field]],
        "text": text,
    }


def hl7_concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def code_system_resource(spec: CodeSystemSpec) -> dict[str, Any]:
    """The CodeSystem resource of a Carepath code system (complete: every concept listed)."""
    return {
        "resourceType": "CodeSystem",
        "id": spec.name,
        "url": spec.url,
        "name": "".join(part.title() for part in spec.name.split("-")),
        "title": spec.title,
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "count": len(spec.concepts),
        "concept": [{"code": code, "display": display} for code, display in spec.concepts.items()],
    }

"""FHIR checks for tests: every resource through the R4B models of `fhir.resources` (structure,
cardinality, primitive formats), plus what those models leave out: the required status codes,
that every code comes from a system we may use (LOINC only as CLINICAL_RULES lists it, Carepath
codes only as defined), one invariant (appointments), and references that resolve."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from carepath_contracts import LOINC_CODES
from carepath_runtime.fhir import (
    ADVERSE_EVENT_SERIOUSNESS,
    CANONICAL_BASE,
    CODE_SYSTEMS,
    FLAG_CATEGORY,
    LOINC,
    UCUM,
    full_url,
)
from carepath_runtime.fhir.terminology import OBSERVATION_CATEGORY

# Required bindings of the elements we fill (FHIR R4), which the models do not enforce.
REQUIRED_CODES: dict[str, dict[str, set[str]]] = {
    "Observation": {
        "status": {
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        },
    },
    "QuestionnaireResponse": {
        "status": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    },
    "Questionnaire": {"status": {"draft", "active", "retired", "unknown"}},
    "CodeSystem": {"status": {"draft", "active", "retired", "unknown"}},
    "ServiceRequest": {
        "status": {
            "draft",
            "active",
            "on-hold",
            "revoked",
            "completed",
            "entered-in-error",
            "unknown",
        },
        "intent": {
            "proposal",
            "plan",
            "directive",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        },
    },
    "MedicationAdministration": {
        "status": {
            "in-progress",
            "not-done",
            "on-hold",
            "completed",
            "entered-in-error",
            "stopped",
            "unknown",
        },
    },
    "Appointment": {
        "status": {
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist",
        },
        "participant.status": {"accepted", "declined", "tentative", "needs-action"},
    },
    "CarePlan": {
        "status": {
            "draft",
            "active",
            "on-hold",
            "revoked",
            "completed",
            "entered-in-error",
            "unknown",
        },
        "intent": {"proposal", "plan", "order", "option"},
        "activity.detail.status": {
            "not-started",
            "scheduled",
            "in-progress",
            "on-hold",
            "completed",
            "cancelled",
            "stopped",
            "unknown",
            "entered-in-error",
        },
    },
    "Flag": {"status": {"active", "inactive", "entered-in-error"}},
    "Task": {
        "status": {
            "draft",
            "requested",
            "received",
            "accepted",
            "rejected",
            "ready",
            "cancelled",
            "in-progress",
            "on-hold",
            "failed",
            "completed",
            "entered-in-error",
        },
        "intent": {
            "unknown",
            "proposal",
            "plan",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        },
        "priority": {"routine", "urgent", "asap", "stat"},
    },
    "AdverseEvent": {"actuality": {"actual", "potential"}},
}

HL7_CODES = {
    OBSERVATION_CATEGORY: {"vital-signs", "survey"},
    FLAG_CATEGORY: {"safety", "clinical"},
    ADVERSE_EVENT_SERIOUSNESS: {"serious", "non-serious"},
}
LOINC_ALLOWED = {code for codes in LOINC_CODES.values() for code in codes}
CORE_EXTENSIONS = {
    "http://hl7.org/fhir/StructureDefinition/minValue",
    "http://hl7.org/fhir/StructureDefinition/maxValue",
}


class FhirProblem(AssertionError):
    pass


def validate_resource(resource: dict[str, Any]) -> None:
    """Raises (pydantic's ValidationError or FhirProblem) naming what is wrong."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    where = f"{resource['resourceType']}/{resource.get('id')}"
    for path, allowed in REQUIRED_CODES.get(resource["resourceType"], {}).items():
        for value in _values(resource, path.split(".")):
            if value not in allowed:
                raise FhirProblem(f"{where}: {path} {value!r} is not one of {sorted(allowed)}")
    for coding in _codings(resource):
        _check_coding(where, coding)
    for url in _extension_urls(resource):
        if not (url.startswith(f"{CANONICAL_BASE}/StructureDefinition/") or url in CORE_EXTENSIONS):
            raise FhirProblem(f"{where}: extension {url} is neither Carepath's nor core")
    if resource["resourceType"] == "Appointment":
        timed = "start" in resource and "end" in resource
        if not timed and resource["status"] not in {"proposed", "cancelled", "waitlist"}:
            raise FhirProblem(f"{where}: app-3, a {resource['status']} appointment needs start/end")


def validate_bundle(
    bundle: dict[str, Any], *, closed: bool = False, outside: tuple[str, ...] = ()
) -> Counter[str]:
    """Validate a Bundle and each resource in it; `closed`: every reference points into it,
    except to the resource types in `outside` (another service's). Returns the counts by type."""
    Bundle.model_validate(bundle)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    duplicated = [url for url, count in Counter(urls).items() if count > 1]
    if duplicated:
        raise FhirProblem(f"fullUrl not unique: {duplicated}")
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if entry["fullUrl"] != full_url(resource):
            raise FhirProblem(f"fullUrl {entry['fullUrl']} is not the resource's own")
        validate_resource(resource)
    if closed:
        present = {
            f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]
        }
        dangling = sorted(
            found
            for found in set(references(bundle)) - present
            if found.split("/")[0] not in outside
        )
        if dangling:
            raise FhirProblem(f"references to resources not in the Bundle: {dangling}")
    return Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resources_of(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
    ]


def _check_coding(where: str, coding: dict[str, Any]) -> None:
    system, code = coding["system"], coding["code"]
    carepath = f"{CANONICAL_BASE}/CodeSystem/"
    if system.startswith(carepath):
        spec = CODE_SYSTEMS.get(system.removeprefix(carepath))
        if spec is None or code not in spec.concepts:
            raise FhirProblem(f"{where}: {code!r} is not defined in {system}")
    elif system == LOINC:
        if code not in LOINC_ALLOWED:
            raise FhirProblem(f"{where}: LOINC {code} is not one CLINICAL_RULES lists")
    elif system in HL7_CODES:
        if code not in HL7_CODES[system]:
            raise FhirProblem(f"{where}: {code!r} is not a code we use from {system}")
    elif system != UCUM:
        raise FhirProblem(f"{where}: code {code!r} from an unexpected system {system}")


def _codings(value: Any) -> Iterator[dict[str, Any]]:
    """Codings and coded quantities: dicts with a system and a code."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from _codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codings(item)


def _extension_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for extension in value.get("extension", []):
            yield extension["url"]
        for item in value.values():
            yield from _extension_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _extension_urls(item)


def _values(value: Any, path: list[str]) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _values(item, path)
    elif not path:
        yield value
    elif isinstance(value, dict) and path[0] in value:
        yield from _values(value[path[0]], path[1:])

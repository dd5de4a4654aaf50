"""The building blocks every FHIR resource of Carepath uses: ids, references, identifiers,
quantities, instants and the Bundle that carries them."""

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from carepath_runtime.fhir.terminology import CANONICAL_BASE, UCUM, identifier_system

Resource = dict[str, Any]

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def fhir_id(*parts: str) -> str:
    """A FHIR resource id from Carepath ids: `_` (allowed in ours, not in FHIR's) becomes `.`
    (never in ours), so distinct parts stay distinct; too long, a digest keeps it unique."""
    readable = "-".join(parts).replace("_", ".")
    if _FHIR_ID.match(readable):
        return readable
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{parts[0].replace('_', '.')[:20]}-{digest[:40]}"


def reference(resource: Resource) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def reference_to(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def patient_id_identifier(patient_id: str) -> dict[str, str]:
    return identifier("patient-id", patient_id)


def patient_reference(patient_id: str) -> dict[str, Any]:
    """The patient as every service refers to them: intake's Patient resource (in the merged
    pathway Bundle) and the pseudonymous id, which identifies them in any one service's Bundle."""
    return {
        **reference_to("Patient", fhir_id(patient_id)),
        "identifier": patient_id_identifier(patient_id),
    }


def identifier(kind: str, value: str) -> dict[str, str]:
    return {"system": identifier_system(kind), "value": value}


def quantity(value: float, unit: str) -> dict[str, Any]:
    """A UCUM quantity (`unit` is the UCUM code, e.g. `mg`, `mg/min`, `mm[Hg]`)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def instant(moment: datetime) -> str:
    """FHIR instant/dateTime: UTC, with seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def full_url(resource: Resource) -> str:
    return f"{CANONICAL_BASE}/{resource['resourceType']}/{resource['id']}"


def collection(resources: Iterable[Resource], *, at: datetime) -> Resource:
    """A Bundle of type `collection`: the resources as they stand at `at`."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(at),
        "entry": [{"fullUrl": full_url(resource), "resource": resource} for resource in resources],
    }

"""One patient's whole pathway as one FHIR Bundle: each service's Bundle of its own resources,
fetched over its HTTP API with a clinician's token and merged here.

The merge is a client's job, not a service's: no service calls another, and each Bundle
already refers to the patient the same way (intake's Patient resource, by pseudonymous id)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from carepath_runtime.errors import CarepathError
from carepath_runtime.fhir import instant

Bundle = dict[str, Any]


class FhirViewError(CarepathError):
    """A service refused or could not be reached: the message names it and why."""


def merge_bundles(bundles: Sequence[Bundle], *, at: datetime) -> Bundle:
    """One `collection` Bundle with every entry, in the order given; an entry two Bundles
    share must be the same resource (the same full URL means the same resource)."""
    entries: dict[str, dict[str, Any]] = {}
    for bundle in bundles:
        for entry in bundle["entry"]:
            known = entries.setdefault(entry["fullUrl"], entry)
            if known["resource"] != entry["resource"]:
                raise FhirViewError(f"two services describe {entry['fullUrl']} differently")
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": instant(at),
        "entry": list(entries.values()),
    }


async def pathway_bundle(
    services: Mapping[str, str], token: str, patient_id: str, *, at: datetime
) -> Bundle:
    """`services`: name -> base URL, intake first (its Patient heads the Bundle). A service
    that does not know the patient yet (404) adds nothing; none knowing them is an error."""
    found = []
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    async with httpx.AsyncClient(headers=headers, timeout=30.0) as client:
        for name, url in services.items():
            try:
                response = await client.get(f"{url}/v1/patients/{patient_id}/fhir")
            except httpx.HTTPError as error:
                raise FhirViewError(f"{name} at {url} cannot be reached: {error}") from error
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                raise FhirViewError(f"{name} answered {response.status_code}: {response.text}")
            found.append(response.json())
    if not found:
        raise FhirViewError(f"no service knows patient {patient_id}")
    return merge_bundles(found, at=at)

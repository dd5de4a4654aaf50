"""Merging the services' FHIR Bundles: every entry once, in order; a clash is an error."""

from datetime import UTC, datetime

import pytest

from carepath_cli.inspection.fhir import FhirViewError, merge_bundles
from carepath_runtime.fhir import collection

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATIENT = {"resourceType": "Patient", "id": "p-1"}
PLAN = {"resourceType": "CarePlan", "id": "c-1", "status": "active", "intent": "plan",
        "subject": {"reference": "Patient/p-1"}}  # fmt: skip


def test_entries_come_once_each_in_the_order_of_the_bundles():
    merged = merge_bundles(
        [collection([PATIENT], at=AT), collection([PLAN, PATIENT], at=AT)], at=AT
    )
    assert [e["resource"]["id"] for e in merged["entry"]] == ["p-1", "c-1"]
    assert (merged["type"], merged["timestamp"]) == ("collection", "2026-03-02T09:00:00+00:00")


def test_two_different_resources_under_one_url_are_refused():
    other = {**PLAN, "status": "completed"}
    with pytest.raises(FhirViewError, match="CarePlan/c-1 differently"):
        merge_bundles([collection([PLAN], at=AT), collection([other], at=AT)], at=AT)

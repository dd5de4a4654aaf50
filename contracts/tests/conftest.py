"""Shared fixtures of the contracts tests."""

import uuid
from datetime import UTC, datetime

import pytest

from carepath_contracts import TreatmentProtocol, default_protocol

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def protocol() -> TreatmentProtocol:
    return default_protocol()


@pytest.fixture
def patient_id() -> str:
    return f"pt-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pathway_id() -> str:
    return f"pw-{uuid.uuid4().hex[:12]}"

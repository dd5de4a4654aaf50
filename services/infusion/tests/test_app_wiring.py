"""The public surface, the settings operators set, and the wiring: no broker needed."""

from datetime import time

import pytest
from pydantic import ValidationError

import carepath_infusion
from carepath_contracts import (
    ALL_TOPICS,
    FOLLOWUP_EVENTS,
    INFUSION_DLQ,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    REGISTRY,
    load_catalogue,
)
from carepath_infusion import InfusionSettings, create_app
from carepath_infusion.app import definition

from .builders import PROTOCOL


def test_the_package_exposes_only_create_app_and_its_settings():
    assert carepath_infusion.__all__ == ["InfusionSettings", "create_app"]


def test_settings_come_from_prefixed_environment_variables(monkeypatch):
    monkeypatch.setenv("CAREPATH_INFUSION_CLINIC_DAYS", "[5, 1, 3]")
    monkeypatch.setenv("CAREPATH_INFUSION_SESSION_SLOT_TIMES_UTC", '["13:30", "08:00"]')
    monkeypatch.setenv("CAREPATH_INFUSION_MISSED_SESSION_GRACE_MINUTES", "90")
    settings = InfusionSettings()
    assert settings.service_name == "infusion" and settings.http_port == 8002
    assert settings.clinic_days == [1, 3, 5]
    assert settings.session_slot_times_utc == [time(8, 0), time(13, 30)]
    assert settings.policy.missed_grace.total_seconds() == 90 * 60
    assert (settings.protocol_id, settings.protocol_version) == (PROTOCOL.id, PROTOCOL.version)


@pytest.mark.parametrize("days", [[], [0, 1], [1, 8]])
def test_clinic_days_must_be_iso_weekdays(days):
    with pytest.raises(ValidationError, match="clinic_days"):
        InfusionSettings(clinic_days=days)


def test_the_service_consumes_its_inputs_and_handles_exactly_its_event_types():
    wired = definition(InfusionSettings(), load_catalogue(PROTOCOL.id, PROTOCOL.version))
    assert wired.consumes == [INTAKE_EVENTS.name, INFUSION_INBOUND.name, FOLLOWUP_EVENTS.name]
    assert wired.dead_letter_topic == INFUSION_DLQ.name
    assert set(wired.handlers) == {spec.type for spec in REGISTRY.consumed_by("infusion")}
    assert set(wired.timer_handlers) == {"session-missed", "monitor-silence"}
    assert wired.topics_to_create == {topic.name: topic.partitions for topic in ALL_TOPICS}
    assert (wired.migrations / "infusion_0001_initial.py").is_file()


def test_creating_the_app_connects_nothing():
    app = create_app(InfusionSettings(kafka_bootstrap_servers="127.0.0.1:1"))
    assert app.state.runtime.started is False
    assert "/v1/patients/{patient_id}" in app.openapi()["paths"]

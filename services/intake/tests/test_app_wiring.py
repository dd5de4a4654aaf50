"""Intake's public surface, settings and service definition."""

import carepath_intake
from carepath_contracts import (
    ALL_TOPICS,
    DEFAULT_PROTOCOL_ID,
    DEFAULT_PROTOCOL_VERSION,
    INTAKE_DLQ,
    INTAKE_INBOUND,
    REGISTRY,
    load_catalogue,
)
from carepath_intake import IntakeSettings
from carepath_intake.app import definition

from .builders import PROTOCOL


def test_the_package_exposes_only_the_app_factory_and_the_settings():
    assert carepath_intake.__all__ == ["IntakeSettings", "create_app"]


def test_settings_default_to_intake_on_port_8001_under_the_default_protocol():
    settings = IntakeSettings()

    assert (settings.service_name, settings.http_port, settings.group_id) == (
        "intake",
        8001,
        "carepath-intake",
    )
    assert (settings.protocol_id, settings.protocol_version) == (
        DEFAULT_PROTOCOL_ID,
        DEFAULT_PROTOCOL_VERSION,
    )
    assert settings.personal_details_roles == ["clinician"]


def test_settings_are_read_from_carepath_intake_variables(monkeypatch):
    monkeypatch.setenv("CAREPATH_INTAKE_HTTP_PORT", "9101")
    monkeypatch.setenv("CAREPATH_INTAKE_PERSONAL_DETAILS_ROLES", '["clinician", "lead"]')
    monkeypatch.setenv("CAREPATH_HTTP_PORT", "9999")

    settings = IntakeSettings()

    assert (settings.http_port, settings.personal_details_roles) == (9101, ["clinician", "lead"])


def test_intake_consumes_its_inbound_topic_and_handles_every_type_on_it():
    service = definition(IntakeSettings(), load_catalogue(PROTOCOL.id, PROTOCOL.version))
    inbound_types = {spec.type for spec in REGISTRY if spec.topic == INTAKE_INBOUND}

    assert service.consumes == [INTAKE_INBOUND.name]
    assert service.dead_letter_topic == INTAKE_DLQ.name
    assert set(service.handlers) == inbound_types
    assert inbound_types == {spec.type for spec in REGISTRY.consumed_by("intake")}
    assert service.topics_to_create == {topic.name: topic.partitions for topic in ALL_TOPICS}
    assert (service.migrations / "intake_0001_initial.py").is_file()


def test_a_setting_can_come_from_a_secret_file_named_like_its_variable(tmp_path):
    # Compose mounts `secrets:` as files in /run/secrets; the name is the variable's.
    (tmp_path / "CAREPATH_INTAKE_TOKENS").write_text(
        '[{"subject": "portal", "role": "integration", "sha256": "' + "ab" * 32 + '"}]'
    )

    settings = IntakeSettings(_secrets_dir=tmp_path)

    assert [(t.subject, t.role, t.sha256) for t in settings.tokens] == [
        ("portal", "integration", "ab" * 32)
    ]

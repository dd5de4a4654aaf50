"""The registry's rules: honest topics, producers and consumers for every type. Which types
exist is the registry's alone; the committed schemas pin it (test_schemas, test_compatibility)."""

import re

import pytest

from carepath_contracts import (
    ALL_TOPICS,
    CLINIC_SYSTEMS,
    REGISTRY,
    SERVICES,
    EventSpec,
    ProtocolRef,
    TopicKind,
    UnknownEventTypeError,
)

specs = pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.type)


@specs
def test_type_follows_the_naming_rule_and_names_the_owning_service(spec: EventSpec):
    assert re.fullmatch(r"carepath\.(intake|infusion|followup)\.[a-z0-9-]+\.v1", spec.type)
    assert spec.type.split(".")[1] == spec.topic.owner


@specs
def test_inbound_facts_are_consumed_by_their_owner_and_published_facts_come_from_it(
    spec: EventSpec,
):
    if spec.topic.kind is TopicKind.INBOUND:
        assert spec.consumers == (spec.topic.owner,)
        assert spec.producer not in SERVICES
    else:
        assert spec.topic.kind is TopicKind.EVENTS
        assert spec.producer == spec.topic.owner
        assert spec.source == f"carepath/{spec.topic.owner}"
        assert set(spec.consumers) <= {*SERVICES, CLINIC_SYSTEMS} - {spec.producer}


@specs
def test_every_model_explains_itself_in_one_line(spec: EventSpec):
    doc = (spec.data_model.__doc__ or "").strip()

    assert doc and "\n" not in doc


@specs
def test_every_published_decision_records_its_protocol(spec: EventSpec):
    fields = spec.data_model.model_fields
    if spec.topic.kind is TopicKind.EVENTS and spec.type not in {
        "carepath.intake.referral-accepted.v1",
        "carepath.intake.patient-withdrawn.v1",
    }:
        assert fields["protocol"].annotation is ProtocolRef


@specs
def test_every_example_is_valid_and_deterministic(spec: EventSpec):
    example = spec.example()

    assert example == spec.example()
    assert type(example.data) is spec.data_model
    assert spec.data_model.model_validate(example.data.model_dump()) == example.data


def test_lookup_by_type_model_and_instance_agree():
    spec = REGISTRY.get("carepath.infusion.session-completed.v1")

    assert REGISTRY.spec_for(spec.data_model) is spec
    assert REGISTRY.spec_for(spec.example().data) is spec
    assert spec.type in REGISTRY


def test_unknown_types_raise_the_named_error():
    with pytest.raises(UnknownEventTypeError):
        REGISTRY.get("carepath.intake.nothing.v1")


def test_services_can_ask_what_they_consume():
    followup = {spec.type for spec in REGISTRY.consumed_by("followup")}

    assert "carepath.infusion.session-completed.v1" in followup
    assert "carepath.intake.patient-screened.v1" in followup
    assert {spec.type for spec in REGISTRY.consumed_by("infusion")} >= {
        "carepath.intake.patient-screened.v1",
        "carepath.followup.maintenance-recommended.v1",
        "carepath.infusion.vitals-recorded.v1",
    }


def test_every_topic_but_the_dead_letter_ones_carries_events():
    for topic in ALL_TOPICS:
        assert bool(REGISTRY.on_topic(topic)) == (topic.kind is not TopicKind.DLQ)

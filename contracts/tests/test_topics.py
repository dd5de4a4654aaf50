"""Topic names, partition counts and the key rule."""

import pytest

from carepath_contracts import (
    ALL_TOPICS,
    INFUSION_DLQ,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    SERVICES,
    TopicKind,
    dead_letter_topic,
    events_topic,
    inbound_topic,
    record_key,
    topic_name,
)


def test_every_service_owns_an_inbound_an_events_and_a_dead_letter_topic():
    assert {(topic.owner, topic.kind) for topic in ALL_TOPICS} == {
        (service, kind) for service in SERVICES for kind in TopicKind
    }
    assert len({topic.name for topic in ALL_TOPICS}) == len(ALL_TOPICS)


def test_names_follow_the_architecture():
    assert INTAKE_EVENTS.name == "carepath.intake.events"
    assert INFUSION_INBOUND.name == "carepath.infusion.inbound"
    assert INFUSION_DLQ.name == "carepath.infusion.dlq"


def test_partitions_let_replicas_share_work_and_dead_letters_need_fewer():
    for topic in ALL_TOPICS:
        if topic.kind is TopicKind.DLQ:
            assert topic.partitions < INTAKE_EVENTS.partitions
        else:
            assert topic.partitions >= 6
    assert INFUSION_INBOUND.partitions > INTAKE_EVENTS.partitions


def test_a_prefix_isolates_a_deployment_or_test_run():
    assert topic_name(INTAKE_EVENTS) == "carepath.intake.events"
    assert topic_name(INTAKE_EVENTS, prefix="run42.") == "run42.carepath.intake.events"


def test_topics_can_be_found_by_service():
    assert inbound_topic("infusion") is INFUSION_INBOUND
    assert dead_letter_topic("infusion") is INFUSION_DLQ
    assert events_topic("intake") is INTAKE_EVENTS
    with pytest.raises(ValueError, match="unknown service"):
        events_topic("billing")


def test_the_record_key_is_the_patient_id():
    assert record_key("pt-5b7e2c1a") == b"pt-5b7e2c1a"

"""The ACL policy of a secured bus, read as a table: who may write and read which topic."""

from carepath_contracts import ALL_TOPICS
from carepath_contracts.topics import SERVICES, TopicKind
from carepath_runtime.bus_grants import SIMULATOR, carepath_grants, outside_systems, principals
from carepath_runtime.control_clock import CLOCK_ACKS_TOPIC, CLOCK_TOPIC

PREFIX = "t."


def topics(principal: str, operation: str, *, clock_control: bool = False) -> set[str]:
    return {
        grant.name.removeprefix(PREFIX)
        for grant in carepath_grants(PREFIX, clock_control=clock_control)
        if grant.principal == principal
        and grant.resource == "topic"
        and grant.operation == operation
    }


def test_every_grant_names_a_topic_of_this_prefix() -> None:
    for grant in carepath_grants(PREFIX, clock_control=True):
        assert grant.name.startswith(PREFIX) or grant.resource == "group", grant


def test_a_service_writes_only_its_own_events_and_dead_letters() -> None:
    for service in SERVICES:
        assert topics(service, "write") == {f"carepath.{service}.events", f"carepath.{service}.dlq"}


def test_a_service_reads_what_it_consumes_and_no_dead_letters() -> None:
    assert topics("intake", "read") == {"carepath.intake.inbound"}
    assert topics("infusion", "read") == {
        "carepath.intake.events",
        "carepath.infusion.inbound",
        "carepath.followup.events",
    }
    assert topics("followup", "read") == {
        "carepath.intake.events",
        "carepath.infusion.events",
        "carepath.followup.inbound",
    }


def test_the_clock_topics_are_granted_only_on_the_controlled_clock() -> None:
    assert topics("infusion", "read", clock_control=True) >= {CLOCK_TOPIC}
    assert CLOCK_ACKS_TOPIC in topics("infusion", "write", clock_control=True)
    assert CLOCK_TOPIC not in topics("infusion", "read")
    assert SIMULATOR not in principals()
    assert SIMULATOR in principals(clock_control=True)


def test_outside_systems_write_only_inbound_topics_and_read_only_events() -> None:
    inbound = {topic.name for topic in ALL_TOPICS if topic.kind == TopicKind.INBOUND}
    events = {topic.name for topic in ALL_TOPICS if topic.kind == TopicKind.EVENTS}
    assert outside_systems() == [
        "clinic-systems",
        "clinician",
        "patient-app",
        "referral-portal",
        "therapy-scheduler",
    ]
    for system in outside_systems():
        assert topics(system, "write") <= inbound, system
        assert topics(system, "read") <= events, system
    assert topics("referral-portal", "write") == {"carepath.intake.inbound"}
    assert topics("patient-app", "write") == {"carepath.followup.inbound"}
    assert topics("patient-app", "read") == set()
    assert topics("clinic-systems", "write") == {"carepath.infusion.inbound"}

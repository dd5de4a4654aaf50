"""Kafka topics: names, partition counts, owners, and the record key rule, defined once."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SERVICES = ("intake", "infusion", "followup")

KEY_RULE = (
    "The record key is the pseudonymous patient id (the CloudEvent subject), UTF-8 encoded, "
    "so every event about one patient on one topic lands on one partition, in order."
)


class TopicKind(StrEnum):
    """What a topic carries."""

    INBOUND = "inbound"
    EVENTS = "events"
    DLQ = "dlq"


class Topic(BaseModel):
    """A Kafka topic with its base name (before any deployment prefix) and partition count."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^carepath\.[a-z]+\.(inbound|events|dlq)$")
    partitions: int = Field(ge=1, le=256)
    owner: str = Field(description="The service that owns the topic's schemas.")
    kind: TopicKind


def _topic(owner: str, kind: TopicKind, partitions: int) -> Topic:
    return Topic(name=f"carepath.{owner}.{kind}", partitions=partitions, owner=owner, kind=kind)


# Six partitions let two or three replicas share a topic evenly; the infusion inbound topic
# carries monitor vitals every few minutes per patient, so it gets more. Dead letters are rare.
INTAKE_INBOUND = _topic("intake", TopicKind.INBOUND, 6)
INTAKE_EVENTS = _topic("intake", TopicKind.EVENTS, 6)
INTAKE_DLQ = _topic("intake", TopicKind.DLQ, 2)
INFUSION_INBOUND = _topic("infusion", TopicKind.INBOUND, 12)
INFUSION_EVENTS = _topic("infusion", TopicKind.EVENTS, 6)
INFUSION_DLQ = _topic("infusion", TopicKind.DLQ, 2)
FOLLOWUP_INBOUND = _topic("followup", TopicKind.INBOUND, 6)
FOLLOWUP_EVENTS = _topic("followup", TopicKind.EVENTS, 6)
FOLLOWUP_DLQ = _topic("followup", TopicKind.DLQ, 2)

ALL_TOPICS: tuple[Topic, ...] = (
    INTAKE_INBOUND,
    INTAKE_EVENTS,
    INTAKE_DLQ,
    INFUSION_INBOUND,
    INFUSION_EVENTS,
    INFUSION_DLQ,
    FOLLOWUP_INBOUND,
    FOLLOWUP_EVENTS,
    FOLLOWUP_DLQ,
)


def topic_name(topic: Topic, prefix: str = "") -> str:
    """The topic's name in one deployment or test run: `prefix` + base name."""
    return f"{prefix}{topic.name}"


def dead_letter_topic(service: str) -> Topic:
    """The dead-letter topic of a consuming service."""
    return _owned(service, TopicKind.DLQ)


def inbound_topic(service: str) -> Topic:
    """The topic on which other systems send a service their facts."""
    return _owned(service, TopicKind.INBOUND)


def events_topic(service: str) -> Topic:
    """The topic a service publishes its own facts to."""
    return _owned(service, TopicKind.EVENTS)


def _owned(service: str, kind: TopicKind) -> Topic:
    for topic in ALL_TOPICS:
        if topic.owner == service and topic.kind == kind:
            return topic
    raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")


def record_key(patient_id: str) -> bytes:
    """The Kafka record key for events about a patient (see KEY_RULE)."""
    return patient_id.encode("utf-8")

"""Who may do what on a secured bus: the principals and the ACLs the topic set-up grants.

The broker denies everything that is not granted here (StandardAuthorizer, no ACL = no
access). Grants follow the contracts' registry, so a new event type or consumer needs no
edit here:

* a service (`intake`, `infusion`, `followup`) writes its own `.events` and `.dlq` topics,
  reads the topics its handlers consume with its consumer group, and, on the controlled clock
  (tests, demo), reads the clock topic and writes the acknowledgements;
* an outside system (one per producer in the registry: `referral-portal`, `clinician`,
  `clinic-systems`, `patient-app`, `therapy-scheduler`) writes only the `.inbound` topics of
  the events it produces and reads only the `.events` topics of the events it consumes, with
  consumer groups named after itself;
* the `simulator` (controlled clock only: it plays every outside system and moves time)
  writes the inbound and clock topics and reads everything.

The topic set-up and the operator's tools run as the `admin` super user.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from carepath_contracts import ALL_TOPICS, REGISTRY
from carepath_contracts.topics import SERVICES, TopicKind, dead_letter_topic, events_topic
from carepath_runtime.control_clock import CLOCK_ACKS_TOPIC, CLOCK_TOPIC

ADMIN = "admin"
SIMULATOR = "simulator"

Resource = Literal["topic", "group", "cluster"]
Operation = Literal["read", "write", "describe"]
Pattern = Literal["literal", "prefixed"]


@dataclass(frozen=True, order=True)
class Grant:
    """An ALLOW ACL: `principal` may do `operation` on the named resource(s)."""

    principal: str
    resource: Resource
    name: str
    operation: Operation
    pattern: Pattern = "literal"


def outside_systems() -> list[str]:
    """One principal per system outside Carepath that the registry names as a producer."""
    return sorted({_slug(spec.producer) for spec in REGISTRY if spec.producer not in SERVICES})


def principals(*, clock_control: bool = False) -> tuple[str, ...]:
    """Every principal the bus needs besides `admin` (the simulator only on a test clock)."""
    return (*SERVICES, *outside_systems(), *((SIMULATOR,) if clock_control else ()))


def carepath_grants(prefix: str = "", *, clock_control: bool = False) -> list[Grant]:
    """Every ACL of a Carepath deployment whose topic names start with `prefix`."""
    grants: set[Grant] = set()
    for service in SERVICES:
        grants.update(_service_grants(service, prefix, clock_control=clock_control))
    for system in outside_systems():
        grants.update(_outside_grants(system, prefix))
    if clock_control:
        grants.update(_simulator_grants(prefix))
    return sorted(grants)


def group_ids(service: str, prefix: str) -> set[str]:
    """A service's consumer group: `carepath-<service>`, prefixed like its topics in a stack."""
    return {f"carepath-{service}", f"{prefix}carepath-{service}"}


def _service_grants(service: str, prefix: str, *, clock_control: bool) -> Iterable[Grant]:
    for topic in (events_topic(service), dead_letter_topic(service)):
        yield Grant(service, "topic", prefix + topic.name, "write")
    for topic in {spec.topic.name for spec in REGISTRY.consumed_by(service)}:
        yield Grant(service, "topic", prefix + topic, "read")
    for group in group_ids(service, prefix):
        yield Grant(service, "group", group, "read")
    if clock_control:
        yield Grant(service, "topic", prefix + CLOCK_TOPIC, "read")
        yield Grant(service, "topic", prefix + CLOCK_ACKS_TOPIC, "write")


def _outside_grants(system: str, prefix: str) -> Iterable[Grant]:
    for spec in REGISTRY:
        if _slug(spec.producer) == system:
            yield Grant(system, "topic", prefix + spec.topic.name, "write")
        if any(_slug(consumer) == system for consumer in spec.consumers):
            yield Grant(system, "topic", prefix + spec.topic.name, "read")
            yield Grant(system, "group", f"{prefix}{system}", "read", "prefixed")


def _simulator_grants(prefix: str) -> Iterable[Grant]:
    for topic in ALL_TOPICS:
        yield Grant(SIMULATOR, "topic", prefix + topic.name, "read")
        if topic.kind == TopicKind.INBOUND:
            yield Grant(SIMULATOR, "topic", prefix + topic.name, "write")
    yield Grant(SIMULATOR, "topic", prefix + CLOCK_TOPIC, "write")
    yield Grant(SIMULATOR, "topic", prefix + CLOCK_ACKS_TOPIC, "read")
    for service in SERVICES:
        for group in group_ids(service, prefix):
            # It waits until every service has committed what it was sent.
            yield Grant(SIMULATOR, "group", group, "describe")


def _slug(name: str) -> str:
    return name.strip().lower().replace(" ", "-")

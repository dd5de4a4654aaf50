"""Creates every Carepath topic with its partition count, and on a secured bus grants each
principal its ACLs (`carepath_runtime.bus_grants`): a deployment's one-shot set-up step.

Deployments run the services with topic creation off and this once before them (the compose
stack's `kafka-topics` service runs `python -m carepath_runtime.topic_setup`; on a developer
machine `carepath topics create` does the same). It ships in the service image, so it needs
nothing but the runtime: plain argparse, the options also read from the environment.
"""

import argparse
import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

from carepath_contracts.topics import ALL_TOPICS
from carepath_runtime.bus import Bus, bus_from_environment
from carepath_runtime.bus_grants import carepath_grants
from carepath_runtime.control_clock import CONTROL_TOPICS
from carepath_runtime.kafka_acls import AclsNotCreatedError, create_acls
from carepath_runtime.topics_admin import ensure_topics

_RETRY_INTERVAL_S = 1.0


def wanted_topics(prefix: str = "", *, clock_control: bool = False) -> dict[str, int]:
    """`{name: partitions}` of every Carepath topic, plus the clock control topics if asked."""
    topics = {prefix + topic.name: topic.partitions for topic in ALL_TOPICS}
    if clock_control:
        topics |= {prefix + name: count for name, count in CONTROL_TOPICS.items()}
    return topics


@dataclass(frozen=True)
class TopicReport:
    name: str
    created: bool
    wanted_partitions: int
    partitions: int

    @property
    def line(self) -> str:
        state = "created" if self.created else "exists"
        note = (
            ""
            if self.partitions == self.wanted_partitions
            else f" (has {self.partitions}; the contracts say {self.wanted_partitions})"
        )
        return f"{state:<8} {self.name} partitions={self.partitions}{note}"


async def create_topics(
    bus: Bus | str,
    topics: dict[str, int],
    *,
    replication_factor: int = 1,
    timeout: float = 120.0,
) -> list[TopicReport]:
    """Create the missing topics and wait until every partition has a leader; idempotent.

    Keeps trying while the broker is not reachable yet (a deployment starts it alongside).
    Existing topics are left as they are; one whose partition count differs from the
    contracts' is reported (Kafka can add partitions but never remove them, and adding them
    moves patients to other partitions: plan that change).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            created = await ensure_topics(
                bus, topics, replication_factor=replication_factor, timeout=timeout
            )
            counts = await _partition_counts(bus, list(topics))
            break
        except KafkaConnectionError:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(_RETRY_INTERVAL_S)
    return [
        TopicReport(name, name in created, partitions, counts.get(name, partitions))
        for name, partitions in topics.items()
    ]


async def _partition_counts(bus: Bus | str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(**Bus.of(bus).client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {topic["topic"]: len(topic.get("partitions") or []) for topic in described}


async def grant_access(bus: Bus | str, prefix: str = "", *, clock_control: bool = False) -> int:
    """Grants every Carepath principal its ACLs on the topics with `prefix`; returns how many."""
    grants = carepath_grants(prefix, clock_control=clock_control)
    await create_acls(bus, grants)
    return len(grants)


def summary(reports: list[TopicReport]) -> str:
    created = sum(report.created for report in reports)
    mismatched = sum(report.partitions != report.wanted_partitions for report in reports)
    return f"{created} created, {len(reports) - created} already there" + (
        f", {mismatched} with another partition count" if mismatched else ""
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m carepath_runtime.topic_setup")
    parser.add_argument("--bootstrap", default=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--prefix", default=env("CAREPATH_TOPIC_PREFIX", ""))
    parser.add_argument(
        "--replication-factor",
        type=int,
        default=int(env("CAREPATH_TOPICS_REPLICATION_FACTOR", "1")),
        help="Replicas of each new topic (1 on a single broker, 3 on a production cluster).",
    )
    parser.add_argument(
        "--clock-control",
        action=argparse.BooleanOptionalAction,
        default=env("CAREPATH_TOPICS_CLOCK_CONTROL", "false").lower() in {"1", "true", "yes"},
        help="Also create the clock control topics (services on the controlled clock).",
    )
    parser.add_argument(
        "--acls",
        action=argparse.BooleanOptionalAction,
        default=env("CAREPATH_TOPICS_ACLS", "false").lower() in {"1", "true", "yes"},
        help="Also grant every Carepath principal its ACLs (a secured bus; run as admin).",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="Seconds to keep trying while the broker is not reachable yet.",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    topics = wanted_topics(options.prefix, clock_control=options.clock_control)
    bus = bus_from_environment(options.bootstrap)
    try:
        reports = asyncio.run(
            create_topics(
                bus, topics, replication_factor=options.replication_factor, timeout=options.timeout
            )
        )
        granted = (
            asyncio.run(grant_access(bus, options.prefix, clock_control=options.clock_control))
            if options.acls
            else 0
        )
    except (KafkaError, OSError, TimeoutError, AclsNotCreatedError) as error:
        print(f"error: cannot set up the topics on {options.bootstrap}: {error!r}", file=sys.stderr)
        return 1
    for report in reports:
        print(report.line)
    print(summary(reports) + (f", {granted} ACLs granted" if options.acls else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Creates Kafka topics explicitly with their partition counts, idempotently."""

import asyncio
import time
from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

# How long to wait for new topics' partitions to get a leader before giving up.
DEFAULT_READY_TIMEOUT = 30.0
_POLL_INTERVAL = 0.1


class TopicsNotReadyError(RuntimeError):
    """Topics were created but not every partition had a leader in time."""


async def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    *,
    replication_factor: int = 1,
    timeout: float = DEFAULT_READY_TIMEOUT,
) -> set[str]:
    """Creates each `{name: partitions}` topic that is missing and waits until all are usable.

    Existing topics are left as they are (even with another partition count), so services
    can call this on every start. Returns the names this call created.
    """
    if not topics:
        return set()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        created = await _create_missing(admin, topics, replication_factor, timeout)
        await _wait_for_leaders(admin, list(topics), timeout)
        return created
    finally:
        await admin.close()


async def _create_missing(
    admin: AIOKafkaAdminClient,
    topics: Mapping[str, int],
    replication_factor: int,
    timeout: float,
) -> set[str]:
    new_topics = [
        NewTopic(name=name, num_partitions=partitions, replication_factor=replication_factor)
        for name, partitions in topics.items()
    ]
    response = await admin.create_topics(new_topics, timeout_ms=int(timeout * 1000))
    created = set()
    for name, error_code, *message in response.topic_errors:
        if error_code == 0:
            created.add(name)
            continue
        error = for_code(error_code)
        if error is TopicAlreadyExistsError:
            continue
        detail = message[0] if message and message[0] else error.description
        raise error(f"cannot create topic {name!r}: {detail}")
    return created


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float) -> None:
    # CreateTopics returns before every partition has a leader; a producer sending at once
    # would otherwise get UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER errors.
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(_has_all_leaders(topic) for topic in described) and len(described) == len(names):
            return
        if time.monotonic() >= deadline:
            raise TopicsNotReadyError(f"topics {names} have partitions without a leader")
        await asyncio.sleep(_POLL_INTERVAL)


def _has_all_leaders(topic: Mapping) -> bool:
    partitions = topic.get("partitions") or []
    return (
        topic.get("error_code") == 0
        and bool(partitions)
        and all(partition.get("leader", -1) >= 0 for partition in partitions)
    )

"""Creates Kafka topics explicitly with their partition counts, idempotently; deletes a
prefix's topics (tests and benchmarks clean up after themselves)."""

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.protocol.offset import OffsetRequest

from carepath_runtime.bus import Bus

# How long to wait for new topics' partitions to be usable before giving up.
DEFAULT_READY_TIMEOUT = 30.0
_POLL_INTERVAL = 0.05
_LATEST_OFFSET = -1


class TopicsNotReadyError(RuntimeError):
    """Topics were created but not every partition was usable in time."""


async def ensure_topics(
    bus: Bus | str,
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
    admin = AIOKafkaAdminClient(**Bus.of(bus).client_options())
    await admin.start()
    try:
        created = await _create_missing(admin, topics, replication_factor, timeout)
        await _wait_until_usable(admin, list(topics), timeout)
        return created
    finally:
        await admin.close()


async def delete_topics_with_prefix(bus: Bus | str, prefix: str) -> set[str]:
    """Deletes every topic whose name starts with `prefix`; returns their names."""
    if not prefix:
        raise ValueError("an empty prefix would delete every topic")
    admin = AIOKafkaAdminClient(**Bus.of(bus).client_options())
    await admin.start()
    try:
        names = {name for name in await admin.list_topics() if name.startswith(prefix)}
        if names:
            await admin.delete_topics(sorted(names))
        return names
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


async def _wait_until_usable(admin: AIOKafkaAdminClient, names: list[str], timeout: float) -> None:
    # CreateTopics returns before the partitions exist on their brokers. Even once metadata
    # names a leader, the leader may not host the partition yet and answers
    # NOT_LEADER_OR_FOLLOWER for a moment: wait until every partition answers ListOffsets.
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(names)
        ready = len(described) == len(names) and all(_has_all_leaders(t) for t in described)
        if ready and await _all_partitions_answer(admin, described):
            return
        if time.monotonic() >= deadline:
            raise TopicsNotReadyError(f"topics {names} are not usable on their leaders yet")
        await asyncio.sleep(_POLL_INTERVAL)


async def _all_partitions_answer(admin: AIOKafkaAdminClient, described: list[Mapping]) -> bool:
    by_leader: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for topic in described:
        for partition in topic["partitions"]:
            by_leader[partition["leader"]][topic["topic"]].append(
                (partition["partition"], _LATEST_OFFSET)
            )
    for leader, topics in by_leader.items():
        request = OffsetRequest(-1, 0, [(name, parts) for name, parts in topics.items()])
        # The admin client has no public ListOffsets; aiokafka's own fetcher sends it like this.
        response = await admin._client.send(leader, request)
        if any(part[1] != 0 for _name, parts in response.topics for part in parts):
            return False
    return True


def _has_all_leaders(topic: Mapping) -> bool:
    partitions = topic.get("partitions") or []
    return (
        topic.get("error_code") == 0
        and bool(partitions)
        and all(partition.get("leader", -1) >= 0 for partition in partitions)
    )

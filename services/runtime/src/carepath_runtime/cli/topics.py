"""`carepath topics create`: create every Carepath topic with its partition count.

Deployments run the services with topic creation off and this once before them (the compose
stack's `kafka-topics` service). Without the `carepath` entry point: `python -m
carepath_runtime.cli.topics create`.
"""

import asyncio
import logging
import time
from typing import Annotated

import typer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

from carepath_contracts.topics import ALL_TOPICS
from carepath_runtime.cli.options import DEFAULT_BOOTSTRAP, Bootstrap, Prefix
from carepath_runtime.control_clock import CONTROL_TOPICS
from carepath_runtime.topics_admin import ensure_topics

app = typer.Typer(no_args_is_help=True)

_RETRY_INTERVAL_S = 1.0


@app.callback()
def topics() -> None:
    """Carepath's Kafka topics (names and partition counts come from the contracts)."""


def wanted_topics(prefix: str = "", *, clock_control: bool = False) -> dict[str, int]:
    """`{name: partitions}` of every Carepath topic, plus the clock control topics if asked."""
    topics = {prefix + topic.name: topic.partitions for topic in ALL_TOPICS}
    if clock_control:
        topics |= {prefix + name: count for name, count in CONTROL_TOPICS.items()}
    return topics


@app.command()
def create(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    prefix: Prefix = "",
    replication_factor: Annotated[
        int,
        typer.Option(
            envvar="CAREPATH_TOPICS_REPLICATION_FACTOR",
            min=1,
            help="Replicas of each new topic (1 on a single broker, 3 on a production cluster).",
        ),
    ] = 1,
    clock_control: Annotated[
        bool,
        typer.Option(
            envvar="CAREPATH_TOPICS_CLOCK_CONTROL",
            help="Also create the clock control topics (services on the controlled clock).",
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds to keep trying while the broker is not reachable yet."),
    ] = 120.0,
) -> None:
    """Create the missing topics and wait until every partition has a leader; idempotent.

    Existing topics are left as they are; one whose partition count differs from the
    contracts' is reported (Kafka can add partitions but never remove them, and adding them
    moves patients to other partitions: plan that change).
    """
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    topics = wanted_topics(prefix, clock_control=clock_control)
    try:
        created, counts = asyncio.run(_create(bootstrap, topics, replication_factor, timeout))
    except (KafkaError, OSError, TimeoutError) as error:
        typer.echo(f"error: cannot create the topics on {bootstrap}: {error!r}", err=True)
        raise typer.Exit(code=1) from None
    mismatched = 0
    for name, partitions in topics.items():
        state = "created" if name in created else "exists"
        found = counts.get(name, partitions)
        note = "" if found == partitions else f" (has {found}; the contracts say {partitions})"
        mismatched += bool(note)
        typer.echo(f"{state:<8} {name} partitions={found}{note}")
    typer.echo(
        f"{len(created)} created, {len(topics) - len(created)} already there"
        + (f", {mismatched} with another partition count" if mismatched else ""),
        err=True,
    )


async def _create(
    bootstrap: str, topics: dict[str, int], replication_factor: int, timeout: float
) -> tuple[set[str], dict[str, int]]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            created = await ensure_topics(
                bootstrap, topics, replication_factor=replication_factor, timeout=timeout
            )
            return created, await _partition_counts(bootstrap, list(topics))
        except KafkaConnectionError:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(_RETRY_INTERVAL_S)


async def _partition_counts(bootstrap: str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return {topic["topic"]: len(topic.get("partitions") or []) for topic in described}


if __name__ == "__main__":
    app()

"""`carepath topics create`: create every Carepath topic with its partition count.

The work is the runtime's deployment step (`carepath_runtime.topic_setup`, which the compose
stack runs from the service image); this is its face on the `carepath` command.
"""

import asyncio
import logging
from typing import Annotated

import typer
from aiokafka.errors import KafkaError

from carepath_cli.options import DEFAULT_BOOTSTRAP, Bootstrap, Prefix
from carepath_runtime.bus import bus_from_environment
from carepath_runtime.topic_setup import create_topics, summary, wanted_topics

app = typer.Typer(no_args_is_help=True)


@app.callback()
def topics() -> None:
    """Carepath's Kafka topics (names and partition counts come from the contracts)."""


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
        reports = asyncio.run(
            create_topics(
                bus_from_environment(bootstrap),
                topics,
                replication_factor=replication_factor,
                timeout=timeout,
            )
        )
    except (KafkaError, OSError, TimeoutError) as error:
        typer.echo(f"error: cannot create the topics on {bootstrap}: {error!r}", err=True)
        raise typer.Exit(code=1) from None
    for report in reports:
        typer.echo(report.line)
    typer.echo(summary(reports), err=True)

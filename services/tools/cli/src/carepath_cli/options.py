"""Options shared by the commands that talk to a running stack."""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer

from carepath_runtime.errors import CarepathError

T = TypeVar("T")

Bootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap",
        envvar="KAFKA_BOOTSTRAP_SERVERS",
        help="Kafka bootstrap servers of the stack.",
    ),
]
Prefix = Annotated[
    str,
    typer.Option("--prefix", envvar="CAREPATH_TOPIC_PREFIX", help="Topic prefix of the stack."),
]
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def run_or_exit(work: Coroutine[Any, Any, T]) -> T:
    """Run the coroutine; a CarepathError becomes one line on stderr and exit status 1."""
    # The client library logs each failed connection attempt; our one-line error says it all.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(work)
    except CarepathError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None

"""`carepath up` and `carepath down`: the local stack."""

from pathlib import Path
from typing import Annotated

import typer

from carepath_cli.stack import LocalStack
from carepath_localkafka import LocalKafkaError
from carepath_runtime.errors import CarepathError

DataOption = Annotated[
    Path | None, typer.Option("--data", help="Stack folder [default: <repo>/var/stack].")
]


def up(
    data: DataOption = None,
    clock: Annotated[
        str,
        typer.Option(
            help="controlled: time moves only when the demo or tests move it; system: real time."
        ),
    ] = "controlled",
    kafka_port: Annotated[int, typer.Option(help="Local broker port.")] = 9092,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="A secured bus: TLS, SASL/SCRAM (one principal per service) and ACLs "
            "(broker data in <repo>/var/kafka-secure).",
        ),
    ] = False,
) -> None:
    """Start the local broker (if none runs), create the topics, start the three services."""
    if clock not in ("controlled", "system"):
        raise typer.BadParameter("choose controlled or system", param_hint="--clock")
    try:
        LocalStack(data, kafka_port=kafka_port, secure=secure).up(clock=clock, progress=_say)
    except (CarepathError, LocalKafkaError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None


def down(data: DataOption = None, kafka_port: int = 9092) -> None:
    """Stop the services cleanly, then the broker if `carepath up` started it."""
    LocalStack(data, kafka_port=kafka_port).down(progress=_say)


def _say(message: str) -> None:
    typer.echo(message, err=True)

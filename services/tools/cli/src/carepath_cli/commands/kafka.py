"""`carepath kafka` commands: a local single-node Apache Kafka (KRaft) on the JVM."""

from pathlib import Path
from typing import Annotated

import typer

from carepath_localkafka import KafkaJarCache, LocalKafka, LocalKafkaError
from carepath_localkafka.deployment_credentials import write_deployment_credentials
from carepath_localkafka.local_kafka import DEFAULT_PORT, DEFAULT_READY_TIMEOUT
from carepath_localkafka.locations import default_data_dir
from carepath_runtime.bus_grants import ADMIN, principals

app = typer.Typer(no_args_is_help=True)

# LSB convention for "status" of a service that is not running.
EXIT_NOT_RUNNING = 3

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Broker data folder [default: <repo>/var/kafka; --secure: <repo>/var/kafka-secure].",
    ),
]
SecureOption = Annotated[
    bool,
    typer.Option(
        "--secure",
        help="TLS, SASL/SCRAM-SHA-512 (one principal per service and outside system, plus "
        "admin) and ACLs that deny what is not granted.",
    ),
]


def _local_kafka(port: int, data: Path | None, secure: bool, **options) -> LocalKafka:
    if data is None and secure:
        data = default_data_dir().parent / "kafka-secure"
    return LocalKafka(
        port, data, secure=secure, principals=principals(clock_control=True), **options
    )


def _say(message: str) -> None:
    # Progress goes to stderr so stdout carries only the bootstrap address.
    typer.echo(message, err=True)


def _fail(error: LocalKafkaError) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(code=1)


@app.command()
def start(
    port: Annotated[int, typer.Option(help="Client port on 127.0.0.1.")] = DEFAULT_PORT,
    data: DataOption = None,
    controller_port: Annotated[
        int | None, typer.Option(help="KRaft controller port [default: PORT+1 if free].")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait until clients can list topics.")
    ] = DEFAULT_READY_TIMEOUT,
    secure: SecureOption = False,
) -> None:
    """Fetch Kafka on first use, start it detached, and print its bootstrap address (with
    --secure also the admin principal's settings, as `CAREPATH_KAFKA_*` lines)."""
    kafka = _local_kafka(port, data, secure, controller_port=controller_port, ready_timeout=timeout)
    try:
        outcome = kafka.start(progress=_say)
    except LocalKafkaError as error:
        raise _fail(error) from None
    state = outcome.state
    if outcome.already_running:
        _say(f"Kafka is already running on {state.bootstrap} (pid {state.pid})")
        _say(f"Data: {kafka.data_dir}")
        if state.port != port:
            _say(
                f"note: it listens on port {state.port}, not {port}; stop it first to change ports"
            )
    else:
        _say(f"Kafka {state.version} is ready (pid {state.pid}, data {kafka.data_dir})")
        _say(f"Broker log: {kafka.layout.server_log}")
    typer.echo(f"KAFKA_BOOTSTRAP_SERVERS={state.bootstrap}")
    if kafka.secure:
        # What `carepath topics|trace|dlq` (and any Carepath tool) read to connect as admin.
        typer.echo("CAREPATH_KAFKA_SECURITY_PROTOCOL=SASL_SSL")
        typer.echo(f"CAREPATH_KAFKA_SASL_USERNAME={ADMIN}")
        typer.echo(f"CAREPATH_KAFKA_SASL_PASSWORD_FILE={kafka.credentials.password_file(ADMIN)}")
        typer.echo(f"CAREPATH_KAFKA_SSL_CA_FILE={kafka.tls.ca_certificate}")


@app.command()
def stop(
    data: DataOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds before SIGTERM becomes SIGKILL.")] = 60.0,
    secure: SecureOption = False,
) -> None:
    """Shut the broker down cleanly; its data folder is kept."""
    kafka = _local_kafka(DEFAULT_PORT, data, secure)
    state = kafka.running_state()
    if state is None:
        _say(f"Kafka is not running (data {kafka.data_dir})")
        return
    _say(f"Stopping Kafka (pid {state.pid})...")
    kafka.stop(timeout=timeout)
    _say(f"Kafka stopped; data kept in {kafka.data_dir}")


@app.command()
def status(data: DataOption = None, secure: SecureOption = False) -> None:
    """Show whether the broker runs, its pid, port, data folder and version.

    Exits 3 when it is not running (the LSB convention), so scripts can test it.
    """
    report = _local_kafka(DEFAULT_PORT, data, secure).status()
    typer.echo(f"running: {'yes' if report.running else 'no'}")
    if report.running:
        typer.echo(f"pid: {report.pid}")
        typer.echo(f"port: {report.port}")
        typer.echo(f"bootstrap: {report.bootstrap}")
    typer.echo(f"data: {report.data_dir}")
    typer.echo(f"version: {report.version}")
    typer.echo(f"secure: {'yes' if report.secure else 'no'}")
    typer.echo(f"log: {report.server_log}")
    if not report.running:
        raise typer.Exit(code=EXIT_NOT_RUNNING)


@app.command()
def fetch() -> None:
    """Download the pinned Kafka jars into the cache (no-op when cached), e.g. for CI."""
    cache = KafkaJarCache()
    try:
        libs = cache.ensure(
            on_fetch_start=lambda c: _say(f"Fetching Kafka {c.version} jars from Maven Central...")
        )
    except LocalKafkaError as error:
        raise _fail(error) from None
    typer.echo(f"Kafka {cache.version} jars: {libs}")


@app.command()
def credentials(
    folder: Annotated[Path, typer.Argument(help="Where to write them, e.g. deploy/secrets.")],
    hostname: Annotated[
        list[str] | None,
        typer.Option(
            help="Names clients use for the broker (in its certificate).", show_default=False
        ),
    ] = None,
    clock_control: Annotated[
        bool, typer.Option(help="Also the simulator's principal (tests and demos only).")
    ] = False,
) -> None:
    """Make a deployment's bus credentials once: a CA and the broker's certificate, and a SCRAM
    password per principal (admin, each service, each outside system). Existing ones are kept."""
    names = tuple(hostname or ("kafka", "localhost"))
    tls, secrets = write_deployment_credentials(
        folder.resolve(), principals(clock_control=clock_control), names
    )
    typer.echo(f"CA certificate (give it to every client): {tls.ca_certificate}")
    typer.echo(f"passwords, one file per principal: {secrets.folder}")

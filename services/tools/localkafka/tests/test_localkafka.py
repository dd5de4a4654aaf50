"""The local JVM Kafka broker: start, client round trips, restart, CLI and its errors."""

import asyncio
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from typer.testing import CliRunner

from carepath_cli.main import app
from carepath_localkafka import (
    KAFKA_VERSION,
    BrokerNotReadyError,
    LocalKafka,
    PortInUseError,
)
from carepath_localkafka.broker_process import broker_is_alive
from carepath_localkafka.polling import poll_until
from carepath_localkafka.ports import find_free_port
from carepath_localkafka.readiness import list_topics
from carepath_runtime.topics_admin import ensure_topics

pytestmark = pytest.mark.kafka

runner = CliRunner()


def _new_local_kafka(data_dir: Path, **options) -> LocalKafka:
    port = find_free_port()
    return LocalKafka(
        port=port,
        data_dir=data_dir,
        controller_port=find_free_port(exclude=frozenset({port})),
        stop_with_parent=True,
        **options,
    )


@pytest.fixture(scope="module")
def local_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker of our own (whatever the session's kafka_bootstrap is), for this module."""
    kafka = _new_local_kafka(tmp_path_factory.mktemp("local-kafka"))
    kafka.start()
    yield kafka
    kafka.stop()


async def _consume(
    bootstrap: str, topic: str, count: int, *, timeout: float = 30.0, **options
) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **options,
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while len(values) < count:
                batches = await consumer.getmany(timeout_ms=500)
                values += [record.value for records in batches.values() for record in records]
    finally:
        await consumer.stop()
    return values


async def test_started_broker_lists_topics_and_reports_status(local_kafka: LocalKafka) -> None:
    assert await list_topics(local_kafka.bootstrap) == []
    status = local_kafka.status()
    assert status.running
    assert status.port == local_kafka.port
    assert status.version == KAFKA_VERSION
    assert status.pid and status.pid > 0
    assert (local_kafka.data_dir / "server.log").stat().st_size > 0


def test_server_properties_suit_a_single_node(local_kafka: LocalKafka) -> None:
    properties = dict(
        line.split("=", 1)
        for line in local_kafka.layout.server_properties.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert properties["process.roles"] == "broker,controller"
    assert properties["auto.create.topics.enable"] == "false"
    assert properties["offsets.topic.replication.factor"] == "1"
    assert properties["transaction.state.log.min.isr"] == "1"
    assert properties["group.initial.rebalance.delay.ms"] == "0"
    assert properties["listeners"].startswith(f"PLAINTEXT://127.0.0.1:{local_kafka.port},")


async def test_topics_are_never_auto_created(local_kafka: LocalKafka) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=local_kafka.bootstrap, request_timeout_ms=1500)
    await producer.start()
    try:
        with pytest.raises(Exception):  # noqa: B017 - aiokafka raises KafkaTimeoutError here
            await producer.send_and_wait("carepath.never.created", b"x")
    finally:
        await producer.stop()
    assert "carepath.never.created" not in await list_topics(local_kafka.bootstrap)


async def test_idempotent_producer_round_trip(local_kafka: LocalKafka, topic_prefix: str) -> None:
    topic = f"{topic_prefix}idempotent"
    assert await ensure_topics(local_kafka.bootstrap, {topic: 3}) == {topic}
    producer = AIOKafkaProducer(
        bootstrap_servers=local_kafka.bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for number in range(5):
            await producer.send_and_wait(topic, f"event-{number}".encode(), key=b"patient-1")
    finally:
        await producer.stop()
    values = await _consume(local_kafka.bootstrap, topic, 5)
    # One key, one partition: the order is kept.
    assert values == [f"event-{number}".encode() for number in range(5)]


async def test_transactional_producer_commits_and_aborts(
    local_kafka: LocalKafka, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}transactional"
    await ensure_topics(local_kafka.bootstrap, {topic: 1})
    producer = AIOKafkaProducer(
        bootstrap_servers=local_kafka.bootstrap, transactional_id=f"{topic_prefix}tx"
    )
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send(topic, b"committed-1")
            await producer.send(topic, b"committed-2")
        await producer.begin_transaction()
        await producer.send(topic, b"aborted")
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send(topic, b"committed-3")
    finally:
        await producer.stop()
    values = await _consume(local_kafka.bootstrap, topic, 3, isolation_level="read_committed")
    assert values == [b"committed-1", b"committed-2", b"committed-3"]


async def test_ensure_topics_is_idempotent(local_kafka: LocalKafka, topic_prefix: str) -> None:
    topic = f"{topic_prefix}twice"
    assert await ensure_topics(local_kafka.bootstrap, {topic: 2}) == {topic}
    assert await ensure_topics(local_kafka.bootstrap, {topic: 2}) == set()
    admin = AIOKafkaAdminClient(bootstrap_servers=local_kafka.bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert len(described["partitions"]) == 2


def test_second_start_reports_the_running_broker(local_kafka: LocalKafka) -> None:
    again = LocalKafka(port=local_kafka.port + 7, data_dir=local_kafka.data_dir)
    outcome = again.start()
    assert outcome.already_running
    assert outcome.state.pid == local_kafka.status().pid
    assert again.bootstrap == local_kafka.bootstrap


def test_cli_start_on_running_data_dir_says_so(local_kafka: LocalKafka) -> None:
    result = runner.invoke(
        app,
        ["kafka", "start", "--port", str(local_kafka.port), "--data", str(local_kafka.data_dir)],
    )
    assert result.exit_code == 0, result.output
    assert "already running" in result.stderr
    assert result.stdout.strip() == f"KAFKA_BOOTSTRAP_SERVERS={local_kafka.bootstrap}"


def test_cli_status_of_running_broker(local_kafka: LocalKafka) -> None:
    result = runner.invoke(app, ["kafka", "status", "--data", str(local_kafka.data_dir)])
    assert result.exit_code == 0, result.output
    assert "running: yes" in result.stdout
    assert f"port: {local_kafka.port}" in result.stdout
    assert f"pid: {local_kafka.status().pid}" in result.stdout
    assert f"version: {KAFKA_VERSION}" in result.stdout
    assert f"data: {local_kafka.data_dir}" in result.stdout


def test_cli_status_when_not_running(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kafka", "status", "--data", str(tmp_path)])
    assert result.exit_code == 3
    assert "running: no" in result.stdout
    assert f"data: {tmp_path}" in result.stdout


def test_cli_stop_when_not_running_is_fine(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kafka", "stop", "--data", str(tmp_path)])
    assert result.exit_code == 0
    assert "not running" in result.stderr


def test_cli_start_on_taken_port_fails_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as occupier:
        occupier.bind(("127.0.0.1", 0))
        occupier.listen()
        port = occupier.getsockname()[1]
        result = runner.invoke(
            app, ["kafka", "start", "--port", str(port), "--data", str(tmp_path / "kafka")]
        )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: port {port} on 127.0.0.1 (Kafka listener)")
    assert "Traceback" not in result.output


def test_taken_controller_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as occupier:
        occupier.bind(("127.0.0.1", 0))
        occupier.listen()
        taken = occupier.getsockname()[1]
        kafka = LocalKafka(port=find_free_port(), data_dir=tmp_path, controller_port=taken)
        with pytest.raises(PortInUseError, match="KRaft controller"):
            kafka.start()


def test_stop_keeps_data_and_restart_keeps_topics(tmp_path: Path, topic_prefix: str) -> None:
    kafka = _new_local_kafka(tmp_path / "kafka")
    topic = f"{topic_prefix}durable"
    kafka.start()
    try:
        asyncio.run(ensure_topics(kafka.bootstrap, {topic: 2}))
        pid = kafka.status().pid
        assert kafka.stop() is True
        assert not kafka.status().running
        assert not kafka.layout.pid_file.exists()
        assert (kafka.layout.kraft_dir / "meta.properties").exists()
        assert kafka.stop() is False

        outcome = kafka.start()
        assert not outcome.already_running
        assert outcome.state.pid != pid
        assert topic in asyncio.run(list_topics(kafka.bootstrap))
    finally:
        kafka.stop()


def test_broker_not_ready_in_time_names_the_log(tmp_path: Path) -> None:
    # No JVM gets a broker up in 10 ms: this exercises the give-up path for real.
    kafka = _new_local_kafka(tmp_path / "kafka", ready_timeout=0.01)
    with pytest.raises(BrokerNotReadyError) as raised:
        kafka.start()
    assert str(kafka.layout.server_log) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not kafka.status().running


def test_broker_started_for_tests_dies_with_its_parent(tmp_path: Path) -> None:
    """A test run killed with SIGKILL must not leave its broker running."""
    port = find_free_port()
    script = textwrap.dedent(
        f"""
        import os, signal
        from carepath_localkafka import LocalKafka
        kafka = LocalKafka(port={port}, data_dir={str(tmp_path)!r}, stop_with_parent=True)
        kafka.start()
        print(kafka.status().pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    parent = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    broker_pid = int(parent.stdout.strip())
    layout = LocalKafka(port=port, data_dir=tmp_path).layout
    gone = poll_until(lambda: not broker_is_alive(broker_pid, layout), timeout=30, interval=0.1)
    assert gone, f"broker {broker_pid} outlived the test process that started it"

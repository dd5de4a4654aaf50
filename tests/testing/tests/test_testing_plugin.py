"""The shared pytest fixtures: session broker, topics, PostgreSQL databases, auto markers."""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.offset import OffsetRequest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from carepath_localkafka.ports import find_free_port
from carepath_runtime.topics_admin import delete_topics_with_prefix, ensure_topics
from carepath_testing.conditions import eventually
from carepath_testing.docker_probe import docker_engine_answers
from carepath_testing.kafka import session_kafka_bootstrap
from carepath_testing.postgres import create_fresh_database, drop_database


def test_topic_prefix_is_unique_and_dotted(topic_prefix: str) -> None:
    assert re.fullmatch(r"t[0-9a-f]{8}\.", topic_prefix)


async def test_a_prefix_s_topics_are_deleted_and_no_other(kafka_bootstrap: str, topic_prefix: str):
    mine, neighbour = f"{topic_prefix}a.", f"{topic_prefix}b."
    await ensure_topics(kafka_bootstrap, {f"{mine}x": 2, f"{mine}y": 1, f"{neighbour}x": 1})
    assert await delete_topics_with_prefix(kafka_bootstrap, mine) == {f"{mine}x", f"{mine}y"}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()

    async def only_the_neighbour_is_left() -> bool:
        listed = await admin.list_topics()
        return {name for name in listed if name.startswith(topic_prefix)} == {f"{neighbour}x"}

    try:
        await eventually(only_the_neighbour_is_left, timeout=10, what="deletion in metadata")
    finally:
        await admin.close()
    with pytest.raises(ValueError, match="every topic"):
        await delete_topics_with_prefix(kafka_bootstrap, "")


def test_kafka_fixture_marks_its_users(
    request: pytest.FixtureRequest, kafka_bootstrap: str
) -> None:
    assert request.node.get_closest_marker("kafka") is not None


async def test_create_topics_on_the_session_broker(
    kafka_bootstrap: str, topic_prefix: str, create_topics
) -> None:
    names = {f"{topic_prefix}a": 3, f"{topic_prefix}b": 1}
    assert await create_topics(names) == set(names)
    assert await create_topics(names) == set()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics(list(names))}
    finally:
        await admin.close()
    assert {name: len(described[name]["partitions"]) for name in names} == names
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        # Usable at once: every partition already has a leader.
        metadata = await producer.send_and_wait(f"{topic_prefix}a", b"x", key=b"k")
    finally:
        await producer.stop()
    assert metadata.offset == 0


@pytest.mark.postgres
def test_postgres_url_is_an_asyncpg_url(postgres_url: str) -> None:
    assert make_url(postgres_url).drivername == "postgresql+asyncpg"


async def test_fresh_postgres_database_is_empty_and_usable(fresh_postgres_database: str) -> None:
    engine = create_async_engine(fresh_postgres_database)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id int primary key)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1
            database = (await connection.execute(text("SELECT current_database()"))).scalar()
    finally:
        await engine.dispose()
    assert database == make_url(fresh_postgres_database).database


async def test_fresh_databases_are_dropped(postgres_url: str) -> None:
    first = await create_fresh_database(postgres_url)
    second = await create_fresh_database(postgres_url)
    assert first != second
    await drop_database(postgres_url, first)
    await drop_database(postgres_url, second)
    url = make_url(postgres_url)
    connection = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        names = {
            row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")
        }
    finally:
        await connection.close()
    assert make_url(first).database not in names
    assert make_url(second).database not in names


def test_not_kafka_selection_starts_no_broker(tmp_path: Path) -> None:
    """`-m "not kafka"` deselects fixture users before any fixture runs."""
    (tmp_path / "test_sample.py").write_text(
        textwrap.dedent(
            """
            def test_uses_kafka(kafka_bootstrap):
                raise AssertionError("must have been deselected")

            def test_uses_topics(create_topics):
                raise AssertionError("must have been deselected")

            def test_plain():
                pass
            """
        )
    )
    environment = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "carepath_testing.plugin",
            "-m",
            "not kafka",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 deselected" in result.stdout


def test_given_bootstrap_servers_are_used_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker.example:9092")
    with session_kafka_bootstrap(tmp_path) as bootstrap:
        assert bootstrap == "broker.example:9092"
    assert list(tmp_path.iterdir()) == []


def test_docker_probe_says_no_quickly_when_no_engine_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = find_free_port()  # nothing listens there
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
    started = time.monotonic()
    assert docker_engine_answers(timeout=1.0) is False
    assert time.monotonic() - started < 5


async def test_created_topics_are_usable_at_once(kafka_bootstrap: str, topic_prefix: str) -> None:
    """No NOT_LEADER_OR_FOLLOWER window is left when ensure_topics returns.

    Clients retry through that window, so only a request sent at once shows it: ask each
    leader for its partitions' end offsets right after creation, as aiokafka's fetcher does.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        for round_number in range(3):
            names = {f"{topic_prefix}usable{round_number}.{n}": 6 for n in range(3)}
            await ensure_topics(kafka_bootstrap, names)
            described = await admin.describe_topics(list(names))
            for topic in described:
                for partition in topic["partitions"]:
                    request = OffsetRequest(
                        -1, 0, [(topic["topic"], [(partition["partition"], -1)])]
                    )
                    response = await admin._client.send(partition["leader"], request)
                    ((_name, ((_partition, error_code, *_rest),)),) = response.topics
                    assert error_code == 0, (topic["topic"], partition["partition"])
    finally:
        await admin.close()

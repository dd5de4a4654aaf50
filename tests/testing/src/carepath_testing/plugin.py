"""Pytest fixtures for real infrastructure: `kafka_bootstrap`, `postgres_url` and helpers.

Register with `pytest_plugins = ["carepath_testing.plugin"]` in the root conftest.py.
Fixtures start nothing until a test asks for them, so `-m "not kafka"` starts no broker.
"""

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping

import pytest
import pytest_asyncio

from carepath_localkafka import LocalKafkaError
from carepath_runtime.topics_admin import delete_topics_with_prefix, ensure_topics
from carepath_testing.kafka import session_kafka_bootstrap
from carepath_testing.postgres import (
    PostgresUnavailableError,
    create_fresh_database,
    drop_database,
    session_postgres_url,
)
from carepath_testing.secure_kafka import SecureKafka, secure_kafka_broker

# A test that uses one of these fixtures (even indirectly) gets the marker automatically,
# so `-m "not kafka"` / `-m "not postgres"` deselect it without anyone forgetting a mark.
_MARKER_OF_FIXTURE = {
    "kafka_bootstrap": "kafka",
    "secure_kafka": "kafka",
    "postgres_url": "postgres",
}

TopicCreator = Callable[[Mapping[str, int]], Awaitable[set[str]]]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # tryfirst: the markers must be on the items before `-m` deselects.
    for item in items:
        names = getattr(item, "fixturenames", ())
        for fixture, marker in _MARKER_OF_FIXTURE.items():
            if fixture in names and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real broker for the session (see carepath_testing.kafka)."""
    try:
        with session_kafka_bootstrap(tmp_path_factory.mktemp("kafka")) as bootstrap:
            yield bootstrap
    except LocalKafkaError as error:
        pytest.fail(f"no Kafka broker for the tests: {error}", pytrace=False)


@pytest.fixture(scope="session")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureKafka]:
    """A secured local broker (TLS, SASL/SCRAM, ACLs) for the session; always the local JVM
    broker, whatever KAFKA_BOOTSTRAP_SERVERS says (see carepath_testing.secure_kafka)."""
    try:
        with secure_kafka_broker(tmp_path_factory.mktemp("secure-kafka")) as broker:
            yield broker
    except LocalKafkaError as error:
        pytest.fail(f"no secure Kafka broker for the tests: {error}", pytrace=False)


@pytest_asyncio.fixture
async def topic_prefix(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A prefix unique to this test, e.g. `t1a2b3c4d.`, so tests never share topics.

    On the session broker the test's topics are deleted afterwards: a long-lived local
    broker would otherwise keep thousands of partitions, and with them open files.
    """
    prefix = f"t{secrets.token_hex(4)}."
    uses_kafka = "kafka_bootstrap" in request.fixturenames
    bootstrap = request.getfixturevalue("kafka_bootstrap") if uses_kafka else None
    yield prefix
    if bootstrap is not None:
        await delete_topics_with_prefix(bootstrap, prefix)


@pytest.fixture
def create_topics(kafka_bootstrap: str) -> TopicCreator:
    """`await create_topics({name: partitions})` on the session broker; idempotent."""

    async def create(topics: Mapping[str, int]) -> set[str]:
        return await ensure_topics(kafka_bootstrap, topics)

    return create


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy async URL (`postgresql+asyncpg://...`) of a server for the whole session."""
    try:
        with session_postgres_url() as url:
            yield url
    except PostgresUnavailableError as error:
        pytest.fail(f"no PostgreSQL for the tests: {error}", pytrace=False)


@pytest_asyncio.fixture
async def fresh_postgres_database(postgres_url: str) -> AsyncIterator[str]:
    """URL of a new, empty database for this test; dropped afterwards."""
    database_url = await create_fresh_database(postgres_url)
    try:
        yield database_url
    finally:
        await drop_database(postgres_url, database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh, empty database for this test: the test runs once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("fresh_postgres_database")

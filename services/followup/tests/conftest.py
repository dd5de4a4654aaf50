"""Fixtures of follow-up's tests: a migrated database, and the service on the real broker."""

from collections.abc import AsyncIterator

import pytest

from carepath_followup import FollowupSettings, create_app
from carepath_followup.app import MIGRATIONS
from carepath_runtime.clock import ManualClock
from carepath_runtime.database import create_engine, create_sessionmaker
from carepath_runtime.schema_migrations import upgrade
from carepath_testing.service import running

from .builders import T0

CLINICIAN_TOKEN = "clinician-token-for-tests"


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await upgrade(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def settings(kafka_bootstrap, topic_prefix, database_url) -> FollowupSettings:
    return FollowupSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        consumer_group=f"{topic_prefix}followup",
        database_url=database_url,
        tokens=[
            {"subject": "clin-1", "role": "clinician", "token": CLINICIAN_TOKEN},
            {"subject": "app-1", "role": "integration", "token": "integration-token-for-tests"},
        ],
        retry_initial_delay_s=0.05,
        retry_max_delay_s=0.5,
        outbox_poll_interval_s=0.1,
        consumer_batch_timeout_ms=50,
        shutdown_timeout_s=10,
    )


@pytest.fixture
async def service(settings, clock) -> AsyncIterator:
    """The running service: (app, HTTP client with a clinician token)."""
    app = create_app(settings, clock=clock)
    async with running(app, CLINICIAN_TOKEN) as client:
        yield app, client

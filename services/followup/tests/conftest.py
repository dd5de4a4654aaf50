"""Fixtures of follow-up's tests: a migrated database, and the service on the real broker."""

from collections.abc import AsyncIterator

import pytest

from carepath_followup import FollowupSettings, create_app
from carepath_followup.app import MIGRATIONS
from carepath_runtime.clock import ManualClock
from carepath_runtime.database import create_sessionmaker
from carepath_testing.database import migrated
from carepath_testing.offline import offline
from carepath_testing.service import running
from carepath_testing.settings import settings_for

from .builders import T0

CLINICIAN_TOKEN = "clinician-token-for-tests"
NO_BROKER = "127.0.0.1:1"  # offline tests never connect


@pytest.fixture
async def engine(database_url):
    async with migrated(database_url, MIGRATIONS) as engine:
        yield engine


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def followup_settings(kafka_bootstrap: str, topic_prefix: str, database_url: str):
    tokens = [
        {"subject": "clin-1", "role": "clinician", "token": CLINICIAN_TOKEN},
        {"subject": "app-1", "role": "integration", "token": "integration-token-for-tests"},
    ]
    return settings_for(
        FollowupSettings,
        "followup",
        kafka_bootstrap,
        topic_prefix,
        database_url,
        tokens,
        consumer_batch_timeout_ms=50,
    )


@pytest.fixture
def settings(kafka_bootstrap, topic_prefix, database_url) -> FollowupSettings:
    return followup_settings(kafka_bootstrap, topic_prefix, database_url)


@pytest.fixture
async def service(settings, clock) -> AsyncIterator:
    """The running service: (app, HTTP client with a clinician token)."""
    app = create_app(settings, clock=clock)
    async with running(app, CLINICIAN_TOKEN) as client:
        yield app, client


@pytest.fixture
async def followup(tmp_path) -> AsyncIterator:
    """The service offline (no broker): (app, HTTP client with a clinician token, its clock)."""
    clock = ManualClock(T0)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'followup.db'}"
    app = create_app(followup_settings(NO_BROKER, "t.", database_url), clock=clock)
    async with offline(app, CLINICIAN_TOKEN) as client:
        yield app, client, clock

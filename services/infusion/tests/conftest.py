"""Fixtures of infusion's tests: a migrated database, and settings for the real broker."""

from collections.abc import AsyncIterator

import pytest

from carepath_infusion import create_app
from carepath_infusion.app import MIGRATIONS
from carepath_runtime.clock import ManualClock
from carepath_runtime.database import create_sessionmaker
from carepath_testing.database import migrated
from carepath_testing.offline import offline

from .builders import CLINICIAN_TOKEN, MONDAY, infusion_settings


@pytest.fixture
async def sessions(database_url):
    async with migrated(database_url, MIGRATIONS) as engine:
        yield create_sessionmaker(engine)


@pytest.fixture
def settings(kafka_bootstrap, topic_prefix, database_url):
    return infusion_settings(kafka_bootstrap, topic_prefix, database_url)


@pytest.fixture
def offline_settings(tmp_path):
    """Settings for the service offline (no broker is ever contacted)."""
    return infusion_settings("127.0.0.1:1", "t.", f"sqlite+aiosqlite:///{tmp_path / 'infusion.db'}")


@pytest.fixture
async def infusion(offline_settings) -> AsyncIterator:
    """The service offline: (app, HTTP client with a clinician token, its clock)."""
    clock = ManualClock(MONDAY)
    app = create_app(offline_settings, clock=clock)
    async with offline(app, CLINICIAN_TOKEN) as client:
        yield app, client, clock

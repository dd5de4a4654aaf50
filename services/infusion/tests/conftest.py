"""Fixtures of infusion's tests: a migrated database, and settings for the real broker."""

import pytest

from carepath_infusion.app import MIGRATIONS
from carepath_runtime.database import create_sessionmaker
from carepath_testing.database import migrated

from .builders import infusion_settings


@pytest.fixture
async def sessions(database_url):
    async with migrated(database_url, MIGRATIONS) as engine:
        yield create_sessionmaker(engine)


@pytest.fixture
def settings(kafka_bootstrap, topic_prefix, database_url):
    return infusion_settings(kafka_bootstrap, topic_prefix, database_url)

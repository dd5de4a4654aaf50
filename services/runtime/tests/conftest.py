"""Fixtures of the runtime's own tests: the probe service's migrated database."""

import pytest

from carepath_runtime.database import create_sessionmaker
from carepath_testing.database import migrated
from carepath_testing.probe import service as probe_service
from carepath_testing.probe.builders import probe_settings

PROBE_MIGRATIONS = probe_service.MIGRATIONS


@pytest.fixture
async def engine(database_url):
    async with migrated(database_url, PROBE_MIGRATIONS) as engine:
        yield engine


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)


@pytest.fixture
def settings(kafka_bootstrap, topic_prefix, database_url):
    return probe_settings(kafka_bootstrap, topic_prefix, database_url)

"""Fixtures of the runtime's own tests: the probe service's migrated database."""

import pytest

from carepath_runtime.database import create_engine, create_sessionmaker
from carepath_runtime.schema_migrations import upgrade
from carepath_testing.probe import service as probe_service

PROBE_MIGRATIONS = probe_service.MIGRATIONS


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await upgrade(engine, PROBE_MIGRATIONS)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)

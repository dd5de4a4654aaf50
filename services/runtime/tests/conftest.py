"""Fixtures of the runtime's own tests: the probe service's migrated database."""

from pathlib import Path

import pytest

from carepath_runtime.database import create_engine, create_sessionmaker
from carepath_runtime.schema_migrations import upgrade

PROBE_MIGRATIONS = Path(__file__).parent / "probe" / "migrations"


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await upgrade(engine, PROBE_MIGRATIONS)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)

"""Fixtures of intake's tests: a migrated intake database on SQLite and PostgreSQL."""

import pytest

from carepath_intake.app import MIGRATIONS
from carepath_runtime.database import create_engine, create_sessionmaker
from carepath_runtime.schema_migrations import upgrade


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    await upgrade(engine, MIGRATIONS)
    yield create_sessionmaker(engine)
    await engine.dispose()

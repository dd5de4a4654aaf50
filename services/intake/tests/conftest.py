"""Fixtures of intake's tests: a migrated intake database on SQLite and PostgreSQL."""

import pytest

from carepath_intake.app import MIGRATIONS
from carepath_runtime.database import create_sessionmaker
from carepath_testing.database import migrated


@pytest.fixture
async def sessions(database_url):
    async with migrated(database_url, MIGRATIONS) as engine:
        yield create_sessionmaker(engine)

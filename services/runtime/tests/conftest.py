"""Fixtures of the runtime's own tests: a database per test on SQLite and on PostgreSQL."""

from pathlib import Path

import pytest

from carepath_runtime.database import create_engine, create_sessionmaker
from carepath_runtime.schema_migrations import upgrade

PROBE_MIGRATIONS = Path(__file__).parent / "probe" / "migrations"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("fresh_postgres_database")


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await upgrade(engine, PROBE_MIGRATIONS)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine):
    return create_sessionmaker(engine)

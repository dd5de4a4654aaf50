"""A migrated database for a test: a service's (or the probe's) migrations applied to a fresh
database from the `database_url` fixture, disposed of afterwards."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from carepath_runtime.database import create_engine
from carepath_runtime.schema_migrations import upgrade


@asynccontextmanager
async def migrated(database_url: str, migrations: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, migrations)
        yield engine
    finally:
        await engine.dispose()

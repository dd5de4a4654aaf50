"""The tables the code writes through are the tables the migrations build (SQLite, PostgreSQL)."""

from carepath_followup.app import MIGRATIONS
from carepath_followup.store.tables import metadata
from carepath_testing.schema_drift import schema_drift


async def test_the_tables_match_the_migrations(database_url):
    assert await schema_drift(database_url, MIGRATIONS, metadata) == []

"""Tables against migrations: what Alembic's autogenerate would still add, drop or alter after
every migration has run. Empty when the table definitions (what the code writes through) and
the migrations (what a deployed database has) describe the same schema."""

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from carepath_runtime import tables as runtime_tables

from .database import migrated

MIGRATION_BOOKKEEPING = "alembic_version"


def _with_runtime(service_metadata: MetaData) -> MetaData:
    combined = MetaData()
    for metadata in (runtime_tables.metadata, service_metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


async def schema_drift(
    database_url: str, migrations: Path, service_metadata: MetaData
) -> list[Any]:
    """Alembic's differences between the migrated database and the runtime's + service's tables."""
    expected = _with_runtime(service_metadata)

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _: name != MIGRATION_BOOKKEEPING,
            },
        )
        return compare_metadata(context, expected)

    async with migrated(database_url, migrations) as engine:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)

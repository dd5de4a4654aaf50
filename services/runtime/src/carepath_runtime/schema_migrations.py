"""Versioned schema migrations (Alembic): the runtime's tables plus each service's own branch."""

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

RUNTIME_VERSIONS = Path(str(files("carepath_runtime") / "migrations" / "versions"))


def alembic_config(service_versions: Path, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(str(files("carepath_runtime"))) / "migrations")
    )
    config.set_main_option("version_locations", f"{RUNTIME_VERSIONS} {service_versions}")
    config.set_main_option("path_separator", "space")
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, service_versions: Path) -> None:
    """Bring the database to the newest version of every branch (runtime + the service)."""

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(service_versions, connection), "heads")

    async with engine.begin() as connection:
        await connection.run_sync(run)

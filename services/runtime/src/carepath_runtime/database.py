"""Async SQLAlchemy engines for SQLite (embedded default, WAL) and PostgreSQL (deployments).

Writes go through `transaction(sessions)`. On SQLite one process is the only writer: its
writers queue on a fair in-process lock and take SQLite's write lock up front (BEGIN
IMMEDIATE), so none ever spins in SQLite's busy handler or fails half-way. Readers use
`read_sessions`: a plain BEGIN reads a WAL snapshot without waiting for any writer.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Pool, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

WRITE_OPTION = "carepath_write"
# Keyed by connection pool: an engine and its execution-option variants share one pool.
_sqlite_writer_locks: "WeakKeyDictionary[Pool, asyncio.Lock]" = WeakKeyDictionary()


def create_engine(url: str) -> AsyncEngine:
    """An engine with safe settings for the URL's backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a database error's text (logged, dead-lettered) names the statement,
    # never the values bound to it, which may be personal details.
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    _sqlite_writer_locks[engine.sync_engine.pool] = asyncio.Lock()

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, _record):
        # We emit BEGIN ourselves (below), so the driver must not open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection):
        # A writer takes the write lock up front: a read-then-write transaction can then
        # never fail half-way with SQLITE_BUSY. A reader only needs a snapshot.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for writing (use them through `transaction`)."""
    return async_sessionmaker(
        engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
    )


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading only: on SQLite they never wait for a writer."""
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on any error."""
    async with _writer_turn(sessions), sessions() as session, session.begin():
        yield session


def _writer_turn(sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager:
    bind = sessions.kw.get("bind")
    lock = _sqlite_writer_locks.get(bind.sync_engine.pool) if bind is not None else None
    return lock if lock is not None else nullcontext()

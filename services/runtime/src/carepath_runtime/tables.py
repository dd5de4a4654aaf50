"""The runtime's own tables, present in every service's database."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

from carepath_runtime.columns import Id, UtcDateTime

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for long-lived logs.

inbox = Table(
    "runtime_inbox",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("processed_at", UtcDateTime, nullable=False, index=True),
    # SHA-256 of the event as decoded: an id seen again with other content is a conflict.
    Column("content_hash", String(64), nullable=True),
)

outbox = Table(
    "runtime_outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_type", String(200), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
)
Index("ix_runtime_outbox_unsent", outbox.c.published_at, outbox.c.id)

timers = Table(
    "runtime_timers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("timer_key", String(200), nullable=False, unique=True),
    Column("kind", String(100), nullable=False),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("correlation_id", String(64), nullable=False),
    Column("caused_by_event_id", String(64), nullable=True),
    # W3C traceparent of the span that set the timer (tracing on): its firing continues it.
    Column("traceparent", String(55), nullable=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("fired_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
)
Index("ix_runtime_timers_pending", timers.c.fired_at, timers.c.cancelled_at, timers.c.due_at)

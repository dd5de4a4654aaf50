import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from carepath_runtime.clock import ManualClock
from carepath_runtime.database import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    transaction,
)
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.outbox import INSERT_OUTBOX, OutboxRelay, outbox_row, unsent_count
from carepath_runtime.records import OutgoingRecord
from carepath_runtime.schema_migrations import upgrade

from .conftest import PROBE_MIGRATIONS

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class RecordingPublisher:
    def __init__(self, fail_times: int = 0) -> None:
        self.published: list[OutgoingRecord] = []
        self.fail_times = fail_times

    async def publish(self, records):
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("broker unavailable")
        self.published.extend(records)


def record(n: int, key: str = "p1") -> OutgoingRecord:
    return OutgoingRecord(
        topic="t.events",
        key=key.encode(),
        value=f"v{n}".encode(),
        headers={"h": "1"},
        event_id=f"e{n}",
    )


def relay(engine, sessions, publisher, batch_size: int = 2) -> OutboxRelay:
    return OutboxRelay(
        engine,
        sessions,
        create_read_sessionmaker(engine),
        publisher,
        ManualClock(NOW),
        ServiceMetrics("probe"),
        batch_size=batch_size,
        poll_interval_s=0.05,
        retry_max_delay_s=0.1,
    )


async def add_to_outbox(session, item: OutgoingRecord, *, event_type: str, at: datetime) -> None:
    await session.execute(INSERT_OUTBOX, outbox_row(item, event_type=event_type, at=at))


async def add(sessions, *records):
    async with transaction(sessions) as session:
        for item in records:
            await add_to_outbox(session, item, event_type="probe.v1", at=NOW)


async def test_relay_publishes_in_commit_order_and_marks_sent(engine, sessions):
    await add(sessions, record(1), record(2), record(3))
    publisher = RecordingPublisher()
    await relay(engine, sessions, publisher).flush()
    assert [r.event_id for r in publisher.published] == ["e1", "e2", "e3"]
    assert publisher.published[0].headers == {"h": "1"}
    async with sessions() as session:
        assert await unsent_count(session) == 0


async def test_a_new_relay_after_a_restart_publishes_what_was_left_unsent(engine, sessions):
    await add(sessions, record(1), record(2))
    failing = RecordingPublisher(fail_times=1)
    with pytest.raises(ConnectionError):
        await relay(engine, sessions, failing).publish_pending()
    assert failing.published == []

    after_restart = RecordingPublisher()
    await relay(engine, sessions, after_restart).flush()
    assert [r.event_id for r in after_restart.published] == ["e1", "e2"]


async def test_rolled_back_transaction_leaves_nothing_to_publish(engine, sessions):
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as session:
            await add_to_outbox(session, record(9), event_type="probe.v1", at=NOW)
            raise RuntimeError("handler failed after emitting")
    publisher = RecordingPublisher()
    await relay(engine, sessions, publisher).flush()
    assert publisher.published == []


async def test_sent_rows_are_forgotten_after_the_retention_window(engine, sessions):
    await add(sessions, record(1))
    the_relay = relay(engine, sessions, RecordingPublisher())
    await the_relay.flush()
    assert await the_relay.forget_sent_before(NOW - timedelta(days=1)) == 0
    assert await the_relay.forget_sent_before(NOW + timedelta(seconds=1)) == 1


@pytest.fixture
async def sqlite_engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    await upgrade(engine, PROBE_MIGRATIONS)
    yield engine
    await engine.dispose()


async def test_on_sqlite_publishing_does_not_wait_for_a_writer(sqlite_engine):
    # The consumer's batch holds SQLite's one write lock for a while; the relay must still
    # publish what committed before, and mark it sent once the writer is done.
    sessions = create_sessionmaker(sqlite_engine)
    await add(sessions, record(1), record(2), record(3))
    publisher = RecordingPublisher()
    the_relay = relay(sqlite_engine, sessions, publisher, batch_size=4)
    async with holding_the_write_lock(sessions, record(4)) as release_writer:
        assert await asyncio.wait_for(the_relay.publish_pending(), 5) == 3
        assert await asyncio.wait_for(the_relay.publish_pending(), 5) == 0  # no row twice
        assert [r.event_id for r in publisher.published] == ["e1", "e2", "e3"]
        async with create_read_sessionmaker(sqlite_engine)() as session:
            assert await unsent_count(session) == 3  # the marks wait for the writer
        release_writer()
    await the_relay.flush()
    assert [r.event_id for r in publisher.published] == ["e1", "e2", "e3", "e4"]
    async with sessions() as session:
        assert await unsent_count(session) == 0


async def test_on_sqlite_a_backlog_waits_for_its_marks_after_a_batch(sqlite_engine):
    sessions = create_sessionmaker(sqlite_engine)
    await add(sessions, *[record(n) for n in range(1, 6)])
    publisher = RecordingPublisher()
    the_relay = relay(sqlite_engine, sessions, publisher, batch_size=2)
    async with holding_the_write_lock(sessions, record(6)) as release_writer:
        assert await asyncio.wait_for(the_relay.publish_pending(), 5) == 2
        second_pass = asyncio.create_task(the_relay.publish_pending())
        done, _ = await asyncio.wait([second_pass], timeout=0.2)
        assert not done and len(publisher.published) == 2  # a batch unmarked: it waits
        release_writer()
    assert await asyncio.wait_for(second_pass, 5) == 2
    await the_relay.flush()
    assert [r.event_id for r in publisher.published] == [f"e{n}" for n in range(1, 7)]
    async with sessions() as session:
        assert await unsent_count(session) == 0


@asynccontextmanager
async def holding_the_write_lock(sessions, item: OutgoingRecord):
    """A writer (like the consumer's batch) in its transaction until told to commit."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def write() -> None:
        async with transaction(sessions) as session:
            await add_to_outbox(session, item, event_type="probe.v1", at=NOW)
            holding.set()
            await release.wait()

    writer = asyncio.create_task(write())
    await holding.wait()
    try:
        yield release.set
    finally:
        release.set()
        await writer


async def test_a_failed_background_mark_is_reported_and_retried(sqlite_engine, monkeypatch):
    sessions = create_sessionmaker(sqlite_engine)
    await add(sessions, record(1))
    publisher = RecordingPublisher()
    the_relay = relay(sqlite_engine, sessions, publisher)
    real_mark_sent = the_relay._mark_sent
    failures = [OperationalError("UPDATE runtime_outbox", {}, Exception("disk I/O error"))]

    async def mark_sent_failing_once(ids):
        if failures:
            raise failures.pop()
        await real_mark_sent(ids)

    monkeypatch.setattr(the_relay, "_mark_sent", mark_sent_failing_once)
    assert await the_relay.publish_pending() == 1
    with pytest.raises(OperationalError):
        await the_relay.flush()  # the relay loop backs off on this, then passes again
    await the_relay.flush()
    assert [r.event_id for r in publisher.published] == ["e1"]  # published once only
    async with sessions() as session:
        assert await unsent_count(session) == 0

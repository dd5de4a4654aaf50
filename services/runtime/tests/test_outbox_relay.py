from datetime import UTC, datetime, timedelta

import pytest

from carepath_runtime.clock import ManualClock
from carepath_runtime.database import create_read_sessionmaker, transaction
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.outbox import OutboxRelay, add_to_outbox, unsent_count
from carepath_runtime.records import OutgoingRecord

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


def relay(engine, sessions, publisher) -> OutboxRelay:
    return OutboxRelay(
        engine,
        sessions,
        create_read_sessionmaker(engine),
        publisher,
        ManualClock(NOW),
        ServiceMetrics("probe"),
        batch_size=2,
        poll_interval_s=0.05,
        retry_max_delay_s=0.1,
    )


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

from datetime import UTC, datetime, timedelta

import pytest

from carepath_runtime.clock import ManualClock, SystemClock

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_system_clock_is_timezone_aware_utc():
    assert SystemClock().now().tzinfo is UTC


def test_manual_clock_moves_only_when_told():
    clock = ManualClock(START)
    assert clock.now() == START
    clock.advance(timedelta(days=21))
    assert clock.now() == START + timedelta(days=21)


def test_manual_clock_refuses_to_go_back():
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.set(START - timedelta(seconds=1))


def test_manual_clock_refuses_naive_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 1, 5, 9, 0))


async def test_waiters_learn_that_the_clock_moved():
    clock = ManualClock(START)
    assert not await clock.wait_moved(0.01)
    clock.advance(timedelta(hours=1))
    assert await clock.wait_moved(1.0)

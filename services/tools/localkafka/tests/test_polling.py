"""Bounded waits: they end when the condition holds, and give up after their timeout."""

import itertools

from carepath_localkafka.polling import poll_until


def test_poll_until_returns_once_the_condition_holds():
    polls = itertools.count(1)
    assert poll_until(lambda: next(polls) >= 3, timeout=5, interval=0.001)
    assert next(polls) == 4  # polled exactly three times


def test_poll_until_gives_up_after_the_timeout():
    assert not poll_until(lambda: False, timeout=0.05, interval=0.01)

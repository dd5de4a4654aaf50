from sqlalchemy.exc import OperationalError

from carepath_runtime.consumer import RetryPolicy
from carepath_runtime.errors import (
    RuleViolationError,
    StoreUnavailableError,
    is_permanent,
    is_transient,
)


def test_backoff_doubles_up_to_its_bound():
    policy = RetryPolicy(initial_delay_s=0.2, max_delay_s=5.0, unexpected_error_attempts=3)
    assert [policy.delay(n) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


def test_database_busy_is_transient_and_rule_violation_is_permanent():
    locked = OperationalError("UPDATE x", {}, Exception("database is locked"))
    assert is_transient(locked) and not is_permanent(locked)
    assert is_transient(StoreUnavailableError("db down"))
    assert is_permanent(RuleViolationError("session s1 is not scheduled"))
    assert not is_transient(RuleViolationError("session s1 is not scheduled"))


def test_a_bug_is_neither_transient_nor_permanent():
    assert not is_transient(KeyError("x")) and not is_permanent(KeyError("x"))


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def test_a_postgres_deadlock_or_serialization_failure_is_retried():
    from sqlalchemy.exc import DBAPIError

    for sqlstate in ("40P01", "40001"):
        error = DBAPIError("UPDATE infusion_sessions", {}, _PostgresError(sqlstate))
        assert is_transient(error), sqlstate
    assert not is_transient(DBAPIError("INSERT", {}, _PostgresError("23505")))


def test_a_broken_connection_is_transient_but_a_missing_file_is_a_bug():
    assert is_transient(ConnectionRefusedError("broker down"))
    assert not is_transient(FileNotFoundError("protocol.json"))

"""Named errors of the runtime and how the consumer treats each kind.

Permanent errors can never succeed on retry: the message goes to the dead-letter topic.
Transient errors may succeed later: the message is retried with backoff, never skipped.
"""

from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from carepath_contracts import ContractError
from carepath_contracts.errors import describe_validation_error

# PostgreSQL: serialization failure and deadlock. Two replicas may lock one patient's rows in
# opposite orders; the database aborts one transaction, and retrying it succeeds.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


class CarepathError(Exception):
    """Base of every error a Carepath service raises on purpose."""


class PermanentError(CarepathError):
    """Retrying cannot help: the message is dead-lettered with this error's message."""


class RuleViolationError(PermanentError):
    """The event is well formed but breaks a clinical or state rule (e.g. unknown session)."""


class TransientError(CarepathError):
    """A dependency is unavailable for now: retry with backoff."""


class StoreUnavailableError(TransientError):
    """The database could not be reached or was busy."""


class ShuttingDownError(CarepathError):
    """Processing was abandoned because the service is stopping; nothing was committed."""


def as_rule_violation(error: Exception, refusals: tuple[type[Exception], ...]) -> Exception:
    """A service's own refusal (one of the types it declared) as a `RuleViolationError`
    with the refusal's message, so it is dead-lettered like one; other errors unchanged."""
    if not isinstance(error, refusals):
        return error
    violation = RuleViolationError(str(error))
    violation.__cause__ = error
    return violation


def is_transient(error: BaseException) -> bool:
    """True when the failure may pass by itself (database busy or down, broker unavailable)."""
    if isinstance(error, TransientError):
        return True
    if isinstance(error, OperationalError | PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and (
        error.connection_invalidated or _sqlstate(error) in RETRYABLE_SQLSTATES
    ):
        return True
    # Network trouble only: other OS errors (a missing file, a permission) are bugs, not waits.
    return isinstance(error, KafkaError | ConnectionError | TimeoutError)


def _sqlstate(error: DBAPIError) -> str | None:
    original = error.orig
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)


def is_permanent(error: BaseException) -> bool:
    """True when the message itself is at fault: it goes to the dead-letter topic."""
    return isinstance(error, PermanentError | ContractError | ValidationError)


def reason_of(error: BaseException) -> str:
    """What went wrong, for dead-letter headers and log lines: a validation error by field
    and bound, never the values (pydantic's own text repeats each input, which may be a name
    or a phone number)."""
    if isinstance(error, ValidationError):
        problems = describe_validation_error(error)
        return f"invalid {error.title}: " + "; ".join(problems)
    return str(error)

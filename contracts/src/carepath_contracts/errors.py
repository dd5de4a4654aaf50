"""Named contract errors; every one is permanent, so the runtime dead-letters it."""

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails


class ContractError(Exception):
    """A message breaks the contract. Retrying cannot help: dead-letter it."""

    retryable: ClassVar[bool] = False
    code: ClassVar[str] = "contract-error"


class NotJsonError(ContractError):
    """The record value is not UTF-8 encoded JSON."""

    code = "not-json"


class NotAnEventError(ContractError):
    """The record value is JSON but not a CloudEvents 1.0 structured envelope."""

    code = "not-an-event"


class UnknownEventTypeError(ContractError):
    """The envelope's `type` is not in the registry."""

    code = "unknown-event-type"

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type!r}")
        self.event_type = event_type


class InvalidEventError(ContractError):
    """The envelope or its data breaks the event's schema; `problems` lists each one."""

    code = "invalid-event"

    def __init__(self, event_type: str, problems: Sequence[str]) -> None:
        super().__init__(f"invalid {event_type}: " + "; ".join(problems))
        self.event_type = event_type
        self.problems = tuple(problems)


def describe_validation_error(error: ValidationError) -> list[str]:
    """One `path: what is wrong` line per pydantic error, naming the bound that was broken
    and never the value."""
    return [f"{_path(detail['loc'])}: {_explain(detail)}" for detail in error.errors()]


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(event)"


def _bound_phrase(kind: str, ctx: dict[str, Any]) -> str | None:
    phrases = {
        "less_than_equal": ("le", "must be at most {}"),
        "less_than": ("lt", "must be below {}"),
        "greater_than_equal": ("ge", "must be at least {}"),
        "greater_than": ("gt", "must be above {}"),
        "too_short": ("min_length", "needs at least {} items"),
        "too_long": ("max_length", "allows at most {} items"),
        "string_too_long": ("max_length", "allows at most {} characters"),
        "string_pattern_mismatch": ("pattern", "must match {}"),
        "enum": ("expected", "must be one of {}"),
        "literal_error": ("expected", "must be {}"),
    }
    if kind not in phrases:
        return None
    key, phrase = phrases[kind]
    return phrase.format(_plain(ctx.get(key, "?")))


def _plain(bound: object) -> object:
    """400.0 reads as 400: float bounds come from integer limits."""
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def _explain(detail: ErrorDetails) -> str:
    """What is wrong, by the field's bounds; never the value sent, which may be personal
    (these messages go into dead-letter headers and logs)."""
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    given = detail.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "timezone_aware":
        return "has no timezone; send UTC with an offset (e.g. 2025-03-01T09:00:00Z)"
    bound = _bound_phrase(kind, ctx)
    if bound is None:
        return f"{detail['msg']} ({kind})"
    if kind in {"too_short", "too_long"} and hasattr(given, "__len__"):
        return f"{bound}, got {len(given)}"
    index = detail["loc"][-1] if detail["loc"] else None
    if isinstance(index, int):
        return f"item {index + 1} {bound}"
    return bound

"""How a service declares its handlers: one table of what it handles and what it refuses.

Handlers are plain async functions: `(unit, event, rules)` for an event, `(unit, timer,
rules)` for a timer. `rules` is the service's own value holding the protocol and the
settings its decisions depend on; `define_service` hands it to every handler.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

from carepath_contracts import ALL_TOPICS
from carepath_runtime.consumer import Prefetch
from carepath_runtime.service import ServiceDefinition
from carepath_runtime.timers import Timer
from carepath_runtime.unit_of_work import UnitOfWork

R = TypeVar("R")

OnEvent = Callable[[UnitOfWork, Any, R], Awaitable[None]]
"""`async def on_session_ended(unit, event: Event[SessionEnded], rules) -> None`"""

OnTimer = Callable[[UnitOfWork, Timer, R], Awaitable[None]]
"""`async def on_session_missed(unit, timer: Timer, rules) -> None`"""


@dataclass(frozen=True)
class Handlers(Generic[R]):
    """Everything a service handles, and the domain errors with which it refuses an event."""

    events: Mapping[type[Any], OnEvent[R]]
    """By contract model, e.g. `{SessionEnded: on_session_ended}`; other types are skipped."""
    timers: Mapping[str, OnTimer[R]] = field(default_factory=dict)
    """By timer kind (`TimerRequest.kind`)."""
    refusals: tuple[type[Exception], ...] = ()
    """The domain's errors meaning "this event can never be handled": the consumer
    dead-letters the event with the error's message instead of retrying it."""


def define_service(
    *,
    name: str,
    consumes: Sequence[str],
    dead_letter_topic: str,
    migrations: Path,
    handlers: Handlers[R],
    rules: R,
    prefetch: Prefetch | None = None,
) -> ServiceDefinition:
    """A Carepath service as the runtime runs it: each handler given the rules, and every
    Carepath topic created at start-up (services share them)."""
    return ServiceDefinition(
        name=name,
        consumes=consumes,
        dead_letter_topic=dead_letter_topic,
        handlers={
            model.event_type: partial(handle, rules=rules)
            for model, handle in handlers.events.items()
        },
        timer_handlers={
            kind: partial(handle, rules=rules) for kind, handle in handlers.timers.items()
        },
        refusals=handlers.refusals,
        migrations=migrations,
        topics_to_create={topic.name: topic.partitions for topic in ALL_TOPICS},
        prefetch=prefetch,
    )

"""A timer the domain asks for: a plain value, so pure domain modules may return it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TimerRequest:
    """Wake this service at `due_at` with a timer of `kind`; the same key again moves it.

    The handler schedules it for the patient and pathway of what caused it
    (`UnitOfWork.schedule_timers`); the timer handler of `kind` gets `payload` back.
    """

    key: str
    kind: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)

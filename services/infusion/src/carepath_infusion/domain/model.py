"""The infusion service's state and the shape of every change its rules decide."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from carepath_contracts import EventData, ProtocolRef, SessionKind, Vitals
from carepath_runtime.timer_requests import TimerRequest


class RuleBroken(Exception):
    """The event is well formed but the course or session state forbids it (never retried)."""


class CourseStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # the pathway was closed at a clinical review


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISCHARGED = "discharged"
    ABORTED = "aborted"
    DEFERRED = "deferred"
    MISSED = "missed"
    CANCELLED = "cancelled"


# A chair is in use, so monitor readings are judged against the safety rules: during the
# infusion and in the observation period until discharge.
MONITORED = frozenset({SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED})
# Sessions that hold their day in the calendar (spacing and per-week limits).
OCCUPYING = frozenset(
    {
        SessionStatus.SCHEDULED,
        SessionStatus.IN_PROGRESS,
        SessionStatus.COMPLETED,
        SessionStatus.DISCHARGED,
        SessionStatus.ABORTED,
    }
)
GIVEN = frozenset({SessionStatus.COMPLETED, SessionStatus.DISCHARGED})


@dataclass(frozen=True)
class Dose:
    mg: float
    rate_mg_per_min: float
    minutes: int


@dataclass(frozen=True)
class Course:
    course_id: str
    patient_id: str
    correlation_id: str
    status: CourseStatus
    protocol: ProtocolRef
    dosing_weight_kg: float
    dose: Dose
    first_session_at: datetime
    window_ends_at: datetime
    planned_at: datetime
    status_reason: str | None = None


@dataclass(frozen=True)
class Session:
    session_id: str
    course_id: str
    patient_id: str
    session_number: int
    kind: SessionKind
    status: SessionStatus
    scheduled_for: datetime
    dose_mg: float
    replaces_session_id: str | None = None
    baseline_vitals: Vitals | None = None
    checked_in_at: datetime | None = None
    ended_at: datetime | None = None
    dose_given_mg: float | None = None
    serious_adverse_event: bool = False
    discharged_at: datetime | None = None
    open_alert_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a session's history, as the patient view shows it."""

    session_id: str
    at: datetime
    what: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseChange:
    """What a rule decided about a course: the course and sessions to store, history to add,
    timers to set or cancel, events to emit."""

    events: tuple[EventData, ...] = ()
    course: Course | None = None
    sessions: tuple[Session, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    timers: tuple[TimerRequest, ...] = ()
    cancelled_timers: tuple[str, ...] = ()

    def __add__(self, other: "CourseChange") -> "CourseChange":
        return CourseChange(
            events=self.events + other.events,
            course=other.course or self.course,
            sessions=_latest(self.sessions + other.sessions),
            history=self.history + other.history,
            timers=self.timers + other.timers,
            cancelled_timers=self.cancelled_timers + other.cancelled_timers,
        )


NOTHING = CourseChange()


def _latest(sessions: tuple[Session, ...]) -> tuple[Session, ...]:
    """The last state of each session, in first-mentioned order."""
    by_id: dict[str, Session] = {}
    for session in sessions:
        by_id[session.session_id] = session
    return tuple(by_id.values())

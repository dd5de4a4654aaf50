"""The worklist's live state, projected from the event topics (codes and pseudonymous ids only:
no event carries a personal detail, so neither does the board).

`Board.apply(event)` folds one event in and returns what changed that a watching page should
show at once (a new safety alert, a review opened or resolved). The board's clock is the
latest event time it has read: on a stack whose clock is controlled (the demo, the tests),
"today" is the pathways' today, not the wall clock's."""

import asyncio
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from carepath_contracts import (
    AssessmentOverdue,
    AssessmentScored,
    Event,
    PathwayCompleted,
    ReviewOpened,
    ReviewOutcomeRecorded,
    ReviewOverdue,
    SafetyAlert,
    SessionAborted,
    SessionCancelled,
    SessionCompleted,
    SessionDeferred,
    SessionMissed,
    SessionScheduled,
    Urgency,
)

URGENCY_RANK = {urgency: rank for rank, urgency in enumerate(reversed(list(Urgency)))}
"""Most urgent first: immediate 0, urgent 1, soon 2, routine 3."""


_When = TypeVar("_When", datetime, str)


def review_order(urgency: str, respond_by: _When) -> tuple[int, _When]:
    """The worklist's order of reviews: the most urgent first, then the earliest respond-by
    (a datetime on the board, follow-up's ISO text on the worklist page)."""
    return (URGENCY_RANK[Urgency(urgency)], respond_by)


MAX_WATCHER_BACKLOG = 1000  # a page that stops reading is dropped, never the board
RECENT_CHANGES = 500  # what a page that reconnects (Last-Event-ID) is sent again


@dataclass(frozen=True, slots=True)
class AlertRow:
    patient_id: str
    session_id: str
    rule: str
    action: str
    reading: float
    threshold: float
    unit: str
    measured_at: datetime


@dataclass(slots=True)
class ReviewRow:
    patient_id: str
    review_id: str
    reason: str
    urgency: str
    respond_by: datetime
    opened_at: datetime
    overdue: bool = False

    @property
    def sort_key(self) -> tuple[int, datetime]:
        return review_order(self.urgency, self.respond_by)


@dataclass(frozen=True, slots=True)
class OverdueRow:
    patient_id: str
    assessment_id: str
    timepoint: str
    due_at: datetime
    overdue_at: datetime


@dataclass(slots=True)
class SessionRow:
    patient_id: str
    session_id: str
    session_number: int
    kind: str
    scheduled_for: datetime
    dose_mg: float
    status: str = "scheduled"


@dataclass(frozen=True, slots=True)
class Change:
    """Something a watching worklist shows at once: `kind` is alert, review or resolved;
    `number` counts changes since the console started (the server-sent event's id)."""

    kind: str
    row: Any
    number: int = 0


@dataclass
class Board:
    alert_window: timedelta = timedelta(hours=24)
    now: datetime | None = None
    events_read: int = 0
    alerts: list[AlertRow] = field(default_factory=list)
    reviews: dict[str, ReviewRow] = field(default_factory=dict)
    overdue: dict[str, OverdueRow] = field(default_factory=dict)
    sessions: dict[str, SessionRow] = field(default_factory=dict)
    _watchers: set[asyncio.Queue[Change | None]] = field(default_factory=set)
    _recent: deque[Change] = field(default_factory=lambda: deque(maxlen=RECENT_CHANGES))
    _numbered: int = 0

    # --- reading ---------------------------------------------------------------------------

    def active_alerts(self) -> list[AlertRow]:
        """Alerts of the last `alert_window` of clinical time, the newest first."""
        if self.now is None:
            return []
        since = self.now - self.alert_window
        return sorted(
            (alert for alert in self.alerts if alert.measured_at >= since),
            key=lambda alert: alert.measured_at,
            reverse=True,
        )

    def open_reviews(self) -> list[ReviewRow]:
        return sorted(self.reviews.values(), key=lambda review: review.sort_key)

    def overdue_assessments(self) -> list[OverdueRow]:
        return sorted(self.overdue.values(), key=lambda row: row.overdue_at)

    def sessions_today(self) -> list[SessionRow]:
        if self.now is None:
            return []
        today = self.now.date()
        return sorted(
            (s for s in self.sessions.values() if s.scheduled_for.date() == today),
            key=lambda s: s.scheduled_for,
        )

    # --- folding events in -----------------------------------------------------------------

    def apply(self, event: Event) -> list[Change]:
        self.events_read += 1
        if self.now is None or event.time > self.now:
            self.now = event.time
        changes = []
        for kind, row in self._fold(event.subject, event.data):
            self._numbered += 1
            change = Change(kind, row, self._numbered)
            self._recent.append(change)
            self._publish(change)
            changes.append(change)
        return changes

    def _fold(self, patient_id: str, data: Any) -> Iterator[tuple[str, Any]]:
        match data:
            case SafetyAlert():
                alert = AlertRow(
                    patient_id,
                    data.session_id,
                    data.rule,
                    data.action,
                    data.reading_value,
                    data.threshold_value,
                    data.unit,
                    data.measured_at,
                )
                self.alerts.append(alert)
                self._forget_old_alerts()
                yield "alert", alert
            case ReviewOpened():
                review = ReviewRow(
                    patient_id,
                    data.review_id,
                    data.reason_code,
                    data.urgency,
                    data.respond_by,
                    data.opened_at,
                )
                self.reviews[data.review_id] = review
                yield "review", review
            case ReviewOverdue():
                if review := self.reviews.get(data.review_id):
                    review.overdue = True
                    review.urgency = data.escalated_to or review.urgency
                    yield "review", review
            case ReviewOutcomeRecorded():
                if review := self.reviews.pop(data.review_id, None):
                    yield "resolved", review
            case AssessmentOverdue():
                self.overdue[data.assessment_id] = OverdueRow(
                    patient_id, data.assessment_id, data.timepoint, data.due_at, data.overdue_at
                )
            case AssessmentScored() if data.assessment_id:
                self.overdue.pop(data.assessment_id, None)
            case PathwayCompleted():
                for key in [k for k, row in self.overdue.items() if row.patient_id == patient_id]:
                    del self.overdue[key]
            case SessionScheduled():
                self.sessions[data.session_id] = SessionRow(
                    patient_id,
                    data.session_id,
                    data.session_number,
                    data.kind,
                    data.scheduled_for,
                    data.dose_mg,
                )
                self._forget_old_sessions()
            case SessionCompleted() | SessionAborted() | SessionMissed() | SessionCancelled():
                if session := self.sessions.get(data.session_id):
                    session.status = _STATUS[type(data)]
            case SessionDeferred():
                if session := self.sessions.get(data.session_id):
                    session.status = "deferred"

    def _forget_old_alerts(self) -> None:
        if self.now is not None and len(self.alerts) > 1000:
            since = self.now - self.alert_window
            self.alerts = [alert for alert in self.alerts if alert.measured_at >= since]

    def _forget_old_sessions(self) -> None:
        if self.now is not None and len(self.sessions) > 5000:
            since = self.now - timedelta(days=1)
            self.sessions = {k: s for k, s in self.sessions.items() if s.scheduled_for >= since}

    # --- watching --------------------------------------------------------------------------

    def watch(self, after: int | None = None) -> asyncio.Queue[Change | None]:
        """A queue of the changes from now on (a page's server-sent events); with `after`
        (the last change a reconnecting page saw) the recent ones it missed come first.
        None in the queue: the console is stopping, the stream ends."""
        queue: asyncio.Queue[Change | None] = asyncio.Queue(MAX_WATCHER_BACKLOG)
        if after is not None:
            for change in self._recent:
                if change.number > after:
                    queue.put_nowait(change)
        self._watchers.add(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[Change | None]) -> None:
        self._watchers.discard(queue)

    def close(self) -> None:
        """End every page's stream (at shutdown, so no open page holds the server up)."""
        for queue in list(self._watchers):
            with suppress(asyncio.QueueFull):
                queue.put_nowait(None)
        self._watchers.clear()

    @property
    def watchers(self) -> int:
        return len(self._watchers)

    def _publish(self, change: Change) -> None:
        for queue in list(self._watchers):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                self._watchers.discard(queue)


_STATUS = {
    SessionCompleted: "completed",
    SessionAborted: "aborted",
    SessionMissed: "missed",
    SessionCancelled: "cancelled",
}

"""The worklist's board, folded from events: what a page shows and what it is told live."""

import asyncio
from datetime import UTC, datetime, timedelta

from carepath_console.board import Board
from carepath_contracts import (
    AssessmentOverdue,
    AssessmentScored,
    ReviewOpened,
    ReviewOutcomeRecorded,
    SafetyAlert,
    SessionCompleted,
    SessionScheduled,
)

from .builders import event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_reviews_are_ordered_by_urgency_then_respond_by_and_leave_when_answered():
    board = Board()
    for review_id, urgency, hours in [
        ("r-soon", "soon", 2),
        ("r-late", "urgent", 8),
        ("r-first", "urgent", 4),
    ]:
        board.apply(
            event(
                ReviewOpened,
                at=T0,
                review_id=review_id,
                urgency=urgency,
                respond_by=T0 + timedelta(hours=hours),
            )
        )
    assert [r.review_id for r in board.open_reviews()] == ["r-first", "r-late", "r-soon"]

    (change,) = board.apply(event(ReviewOutcomeRecorded, at=T0, review_id="r-late"))
    assert change.kind == "resolved"
    assert [r.review_id for r in board.open_reviews()] == ["r-first", "r-soon"]


def test_alerts_stay_for_the_window_of_clinical_time():
    board = Board(alert_window=timedelta(hours=24))
    board.apply(event(SafetyAlert, at=T0, measured_at=T0, session_id="s-1"))
    assert len(board.active_alerts()) == 1
    # The clock is the latest event read: a day and a bit later the alert is gone.
    board.apply(event(SessionCompleted, at=T0 + timedelta(hours=25), session_id="s-x"))
    assert board.active_alerts() == []


def test_an_overdue_assessment_leaves_when_it_is_scored():
    board = Board()
    board.apply(event(AssessmentOverdue, at=T0, assessment_id="a-1"))
    assert [o.assessment_id for o in board.overdue_assessments()] == ["a-1"]
    board.apply(event(AssessmentScored, at=T0, assessment_id="a-1"))
    assert board.overdue_assessments() == []


def test_sessions_today_follow_the_clinical_day_and_their_status():
    board = Board()
    board.apply(event(SessionScheduled, at=T0, session_id="s-today", scheduled_for=T0))
    board.apply(
        event(SessionScheduled, at=T0, session_id="s-later", scheduled_for=T0 + timedelta(days=2))
    )
    board.apply(event(SessionCompleted, at=T0 + timedelta(hours=1), session_id="s-today"))
    (today,) = board.sessions_today()
    assert (today.session_id, today.status) == ("s-today", "completed")


async def test_a_watching_page_gets_new_alerts_and_reviews_and_what_it_missed_on_reconnect():
    board = Board()
    queue = board.watch()
    board.apply(event(SafetyAlert, at=T0, measured_at=T0))
    board.apply(event(ReviewOpened, at=T0, review_id="r-1"))
    board.apply(event(AssessmentOverdue, at=T0))  # shown on the next load, not pushed
    first, second = queue.get_nowait(), queue.get_nowait()
    assert (first.kind, second.kind) == ("alert", "review")
    assert queue.empty()

    # A page that reconnects after the first change gets the second again.
    again = board.watch(after=first.number)
    assert again.get_nowait().number == second.number

    board.close()  # at shutdown every stream ends
    assert await asyncio.wait_for(queue.get(), 1) is None

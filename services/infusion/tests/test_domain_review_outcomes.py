"""A clinician's review outcome in infusion: resume inside a fresh window, or stop booking."""

from dataclasses import replace
from datetime import timedelta

from carepath_contracts import (
    CancellationReason,
    ReviewOutcome,
    ReviewOutcomeRecorded,
    ReviewTrigger,
    SessionKind,
    SuspensionReason,
)
from carepath_infusion.domain import CourseStatus, SessionStatus, act_on_review_outcome
from carepath_infusion.domain.booking import suspend
from carepath_infusion.domain.planning import fits

from .builders import PROTOCOL
from .domain_fixtures import MONDAY, course_and_sessions, merged, policy, types

RULES = policy()


def recorded(outcome: ReviewOutcome) -> ReviewOutcomeRecorded:
    return ReviewOutcomeRecorded(
        review_id="rev-1",
        reason_code=ReviewTrigger.COURSE_SUSPENDED,
        outcome=outcome,
        decided_by="clinician",
        decided_at=MONDAY + timedelta(days=20),
        recorded_at=MONDAY + timedelta(days=20),
        protocol=PROTOCOL.ref,
    )


def suspended_after(given: int):
    """A course whose first `given` sessions were infused, then suspended (booked cancelled)."""
    course, sessions = course_and_sessions()
    sessions = [
        replace(s, status=SessionStatus.DISCHARGED) if s.session_number <= given else s
        for s in sessions
    ]
    at = sessions[given - 1].scheduled_for + timedelta(hours=3)
    change = suspend(
        course,
        SuspensionReason.SERIOUS_ADVERSE_EVENT,
        session_id=sessions[given - 1].session_id,
        sessions=sessions,
        protocol=PROTOCOL,
        now=at,
    )
    return change.course, merged(sessions, change)


def act(course, sessions, outcome, days_later=10):
    now = MONDAY + timedelta(days=days_later)
    return act_on_review_outcome(
        course, sessions, recorded(outcome), protocol=PROTOCOL, policy=RULES, now=now, seed="e-1"
    )


def test_resuming_replans_the_sessions_not_given_inside_a_fresh_window():
    course, sessions = suspended_after(3)
    given = [s for s in sessions if s.status is SessionStatus.DISCHARGED]

    change = act(course, sessions, ReviewOutcome.RESUME_COURSE, days_later=30)

    booked = sorted(change.sessions, key=lambda s: s.scheduled_for)
    assert [s.session_number for s in booked] == [4, 5, 6]
    assert all(s.kind is SessionKind.INDUCTION for s in booked)
    assert booked[0].scheduled_for >= MONDAY + timedelta(days=31)  # reschedule_after_days
    resumed = change.course
    assert resumed.status is CourseStatus.ACTIVE
    assert resumed.window_ends_at == booked[0].scheduled_for.replace(hour=0, minute=0) + (
        timedelta(days=PROTOCOL.course.window_days)
    )
    assert all(s.scheduled_for < resumed.window_ends_at for s in booked)
    for index, session in enumerate(booked):
        others = [g.scheduled_for for g in given] + [b.scheduled_for for b in booked[:index]]
        assert fits(session.scheduled_for, others, PROTOCOL.course)
    assert types(change) == ["SessionScheduled"] * 3


def test_resuming_a_course_that_is_not_suspended_changes_nothing():
    course, sessions = course_and_sessions()

    change = act(course, sessions, ReviewOutcome.RESUME_COURSE)

    assert (change.events, change.course, change.sessions) == ((), None, ())


def test_resuming_after_an_adverse_event_in_the_last_infusion_completes_the_course():
    course, sessions = suspended_after(PROTOCOL.course.induction_sessions)

    change = act(course, sessions, ReviewOutcome.RESUME_COURSE, days_later=30)

    assert types(change) == ["CourseCompleted"]
    assert change.course.status is CourseStatus.COMPLETED


def test_discharge_at_review_cancels_every_booked_session_and_closes_the_course():
    course, sessions = course_and_sessions()

    change = act(course, sessions, ReviewOutcome.DISCHARGE)

    assert change.course.status is CourseStatus.CLOSED
    cancelled = [e for e in change.events if type(e).__name__ == "SessionCancelled"]
    assert len(cancelled) == PROTOCOL.course.induction_sessions
    assert {e.reason_code for e in cancelled} == {CancellationReason.CLINICIAN_DECISION}
    assert act(change.course, merged(sessions, change), ReviewOutcome.REFER_OUT).events == ()


def test_outcomes_that_are_not_infusions_business_and_patients_without_a_course_change_nothing():
    course, sessions = course_and_sessions()

    assert act(course, sessions, ReviewOutcome.CONTINUE_MONITORING).events == ()
    assert act(course, sessions, ReviewOutcome.START_MAINTENANCE).events == ()
    assert act(None, [], ReviewOutcome.RESUME_COURSE).events == ()

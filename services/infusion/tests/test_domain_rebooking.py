"""Rebooking deferred and missed sessions inside the course window, or suspending the course."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from carepath_contracts import SessionScheduled, SuspensionReason
from carepath_infusion.domain import sessions as rules
from carepath_infusion.domain.model import CourseStatus, SessionStatus
from carepath_infusion.domain.planning import fits

from .builders import PROTOCOL, checked_in
from .domain_fixtures import course_and_sessions, merged, policy, types

POLICY = policy()


def day(number: int) -> datetime:
    """March 2026; the course planned on Monday the 2nd runs Tue 3, Thu 5, Mon 9, Wed 11,
    Fri 13 and Mon 16, and its window ends at the start of Tuesday the 24th."""
    return datetime(2026, 3, number, 9, 0, tzinfo=UTC)


def miss(course, sessions, session):
    now = session.scheduled_for + POLICY.missed_grace
    decision = rules.miss_session(
        course,
        session,
        sessions,
        protocol=PROTOCOL,
        policy=POLICY,
        now=now,
        seed=session.session_id,
    )
    return decision, merged(sessions, decision)


def defer(course, sessions, session):
    now = session.scheduled_for - timedelta(minutes=15)
    high = PROTOCOL.check_in_gate.systolic_max_mmhg + 5
    event = checked_in(course.patient_id, session.session_id, now)
    event_data = event.data.model_copy(
        update={"vitals": event.data.vitals.model_copy(update={"systolic_mmhg": high})}
    )
    decision = rules.check_in(
        course, session, sessions, event_data, protocol=PROTOCOL, policy=POLICY, now=now,
        seed=event.id,
    )  # fmt: skip
    return decision, merged(sessions, decision)


def test_the_planned_course_is_the_one_these_tests_describe():
    course, sessions = course_and_sessions()
    assert [s.scheduled_for for s in sessions] == [day(n) for n in (3, 5, 9, 11, 13, 16)]
    assert course.window_ends_at == datetime(2026, 3, 24, tzinfo=UTC)


def test_a_deferred_session_is_rebooked_on_the_next_day_that_fits():
    course, sessions = course_and_sessions()
    decision, _ = defer(course, sessions, sessions[1])  # Thursday 5th
    assert types(decision) == ["SessionDeferred", "SessionScheduled"]
    assert decision.events[0].reason_codes == ["systolic_above_limit"]
    replacement = decision.events[1]
    assert replacement.scheduled_for == day(6)  # Friday: free days on both sides
    assert replacement.replaces_session_id == sessions[1].session_id
    assert replacement.session_number == 2


def test_a_rebooking_keeps_a_free_day_around_its_neighbours():
    course, sessions = course_and_sessions()
    decision, _ = defer(course, sessions, sessions[2])  # Monday 9th, deferred
    # Tue 10 and Thu 12 touch Wed 11; Fri 13 and Mon 16 are taken; Tue 17 touches Mon 16.
    assert decision.events[1].scheduled_for == day(18)


def test_no_more_than_three_sessions_are_booked_in_one_iso_week():
    booked = [day(9), day(11), day(13)]
    assert not fits(day(15), booked, PROTOCOL.course)  # Sunday: free day, but a full week
    assert fits(day(16), booked[1:], PROTOCOL.course)


def test_misses_are_rebooked_until_the_window_is_full_then_the_course_is_suspended():
    course, sessions = course_and_sessions()
    sessions = [replace(s, status=SessionStatus.DISCHARGED) for s in sessions[:5]] + sessions[5:]
    last = sessions[-1]
    rebooked_on = []
    while True:
        decision, sessions = miss(course, sessions, last)
        scheduled = [e for e in decision.events if isinstance(e, SessionScheduled)]
        if not scheduled:
            break
        rebooked_on.append(scheduled[0].scheduled_for)
        last = next(s for s in sessions if s.session_id == scheduled[0].session_id)
    # Each miss moves the sixth session to the next clinic day, the last one inside the window.
    assert rebooked_on == [day(17), day(18), day(19), day(20), day(23)]
    assert types(decision) == ["SessionMissed", "CourseSuspended"]
    assert decision.events[-1].reason_code == SuspensionReason.WINDOW_EXCEEDED
    assert decision.course.status == CourseStatus.SUSPENDED


def test_when_the_window_cannot_hold_a_rebooking_every_booked_session_is_cancelled():
    course, sessions = course_and_sessions()
    late = course.window_ends_at - timedelta(days=1)
    # Session 3 is missed so late (e.g. the service was down) that no slot is left before the end.
    third = sessions[2]
    decision = rules.miss_session(course, third, sessions, protocol=PROTOCOL, policy=POLICY,
                                  now=late, seed="late")  # fmt: skip
    assert types(decision) == ["SessionMissed", *["SessionCancelled"] * 5, "CourseSuspended"]
    statuses = {s.session_id: s.status for s in merged(sessions, decision)}
    assert statuses[third.session_id] == SessionStatus.MISSED
    assert list(statuses.values()).count(SessionStatus.CANCELLED) == 5

"""What infusion does with a clinician's review outcome: resume a suspended course inside a
fresh window, or stop booking when the pathway was closed. Other outcomes are not infusion's
(maintenance comes as `maintenance-recommended`, which books each infusion of a series)."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import (
    CancellationReason,
    CourseCompleted,
    ReviewOutcome,
    ReviewOutcomeRecorded,
    SessionKind,
    SuspensionReason,
    TreatmentProtocol,
)
from carepath_infusion.domain.booking import book, cancel_scheduled, session_id_for, suspend
from carepath_infusion.domain.calendar import Policy, start_of_day
from carepath_infusion.domain.model import (
    GIVEN,
    NOTHING,
    Course,
    CourseChange,
    CourseStatus,
    Session,
)
from carepath_infusion.domain.planning import plan_remaining, window_end

_CLOSING = frozenset({ReviewOutcome.DISCHARGE, ReviewOutcome.REFER_OUT})


def act_on_review_outcome(
    course: Course | None,
    sessions: Sequence[Session],
    recorded: ReviewOutcomeRecorded,
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """Resume, stop, or nothing; a patient with no course here has nothing to change."""
    if course is None:
        return NOTHING
    if recorded.outcome is ReviewOutcome.RESUME_COURSE:
        return resume_course(course, sessions, protocol=protocol, policy=policy, now=now, seed=seed)
    if recorded.outcome in _CLOSING:
        return close_course(course, sessions, protocol=protocol, now=now)
    return NOTHING


def resume_course(
    course: Course,
    sessions: Sequence[Session],
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """The induction sessions not yet given, replanned inside a fresh window (a course not
    suspended, e.g. the outcome delivered twice, changes nothing)."""
    if course.status is not CourseStatus.SUSPENDED:
        return NOTHING
    induction = [s for s in sessions if s.kind is SessionKind.INDUCTION]
    given = [s for s in induction if s.status in GIVEN]
    if len(given) >= protocol.course.induction_sessions:
        return _completed(course, given, protocol, now)
    numbers = _numbers_to_give(induction, given, protocol)
    earliest = max(start_of_day(now) + timedelta(days=policy.reschedule_after_days), now)
    given_at = [s.scheduled_for for s in given]
    slots = plan_remaining(earliest, len(numbers), given_at, protocol.course, policy.calendar)
    if slots is None:
        return suspend(
            course,
            SuspensionReason.WINDOW_EXCEEDED,
            session_id=None,
            sessions=sessions,
            protocol=protocol,
            now=now,
        )
    resumed = replace(
        course,
        status=CourseStatus.ACTIVE,
        status_reason="resumed at review",
        window_ends_at=window_end(slots[0], protocol.course),
    )
    change = CourseChange(course=resumed)
    for number, slot in zip(numbers, slots, strict=True):
        change += book(
            resumed,
            session_id=session_id_for(seed, number),
            number=number,
            kind=SessionKind.INDUCTION,
            slot=slot,
            protocol=protocol,
            policy=policy,
            now=now,
        )
    return change


def close_course(
    course: Course, sessions: Sequence[Session], *, protocol: TreatmentProtocol, now: datetime
) -> CourseChange:
    """The pathway was closed at a review: nothing booked goes ahead."""
    if course.status is CourseStatus.CLOSED:
        return NOTHING
    closed = replace(course, status=CourseStatus.CLOSED, status_reason="closed at review")
    return cancel_scheduled(
        sessions, CancellationReason.CLINICIAN_DECISION, protocol, now
    ) + CourseChange(course=closed)


def _numbers_to_give(
    induction: Sequence[Session], given: Sequence[Session], protocol: TreatmentProtocol
) -> list[int]:
    done = {s.session_number for s in given}
    wanted = range(1, protocol.course.induction_sessions + 1)
    return [number for number in wanted if number not in done][
        : protocol.course.induction_sessions - len(given)
    ]


def _completed(
    course: Course, given: Sequence[Session], protocol: TreatmentProtocol, now: datetime
) -> CourseChange:
    """Every induction infusion was given before the suspension (e.g. an adverse event in the
    last one): resuming completes the course."""
    last = max(given, key=lambda s: s.scheduled_for)
    done = CourseCompleted(
        course_id=course.course_id,
        sessions_completed=len(given),
        last_session_id=last.session_id,
        completed_at=now,
        protocol=protocol.ref,
    )
    return CourseChange(events=(done,), course=replace(course, status=CourseStatus.COMPLETED))

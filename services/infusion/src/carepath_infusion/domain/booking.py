"""Booking, cancelling and rebooking sessions, and suspending a course for clinical review."""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import (
    CancellationReason,
    CourseSuspended,
    SessionCancelled,
    SessionKind,
    SessionScheduled,
    SuspensionReason,
    TreatmentProtocol,
)
from carepath_infusion.domain.calendar import Policy, start_of_day
from carepath_infusion.domain.model import (
    OCCUPYING,
    Course,
    CourseChange,
    CourseStatus,
    HistoryEntry,
    Session,
    SessionStatus,
)
from carepath_infusion.domain.planning import next_free_slot
from carepath_runtime.timer_requests import TimerRequest

MISSED_TIMER = "session-missed"
_IDS = uuid.UUID("1f0b7d3e-2c4a-4e8b-9f61-5a7c3d2e1b90")


def course_id_for(seed: str) -> str:
    """Derived from the causing event, so a redelivery can never plan a second course."""
    return f"course-{uuid.uuid5(_IDS, f'course/{seed}').hex[:24]}"


def session_id_for(seed: str, session_number: int) -> str:
    return f"session-{uuid.uuid5(_IDS, f'session/{seed}/{session_number}').hex[:24]}"


def missed_timer_key(session_id: str) -> str:
    return f"infusion/missed/{session_id}"


def book(
    course: Course,
    *,
    session_id: str,
    number: int,
    kind: SessionKind,
    slot: datetime,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    replaces: str | None = None,
) -> CourseChange:
    session = Session(
        session_id=session_id,
        course_id=course.course_id,
        patient_id=course.patient_id,
        session_number=number,
        kind=kind,
        status=SessionStatus.SCHEDULED,
        scheduled_for=slot,
        dose_mg=course.dose.mg,
        replaces_session_id=replaces,
    )
    scheduled = SessionScheduled(
        session_id=session_id,
        course_id=course.course_id,
        session_number=number,
        kind=kind,
        scheduled_for=slot,
        dose_mg=course.dose.mg,
        rate_mg_per_min=course.dose.rate_mg_per_min,
        duration_minutes=course.dose.minutes,
        replaces_session_id=replaces,
        protocol=protocol.ref,
    )
    detail = {"scheduled_for": slot.isoformat(), "replaces_session_id": replaces}
    return CourseChange(
        events=(scheduled,),
        sessions=(session,),
        history=(HistoryEntry(session_id, now, SessionStatus.SCHEDULED.value, detail),),
        timers=(
            TimerRequest(
                key=missed_timer_key(session_id),
                kind=MISSED_TIMER,
                due_at=slot + policy.missed_grace,
                payload={"session_id": session_id},
            ),
        ),
    )


def cancel_scheduled(
    sessions: Sequence[Session],
    reason: CancellationReason,
    protocol: TreatmentProtocol,
    now: datetime,
) -> CourseChange:
    """Every session still waiting for its day is called off, with its missed-session timer."""
    change = CourseChange()
    for session in sessions:
        if session.status != SessionStatus.SCHEDULED:
            continue
        cancelled = SessionCancelled(
            session_id=session.session_id,
            course_id=session.course_id,
            session_number=session.session_number,
            reason_code=reason,
            cancelled_at=now,
            protocol=protocol.ref,
        )
        change += CourseChange(
            events=(cancelled,),
            sessions=(replace(session, status=SessionStatus.CANCELLED),),
            history=(
                HistoryEntry(
                    session.session_id, now, SessionStatus.CANCELLED.value, {"reason": reason}
                ),
            ),
            cancelled_timers=(missed_timer_key(session.session_id),),
        )
    return change


def suspend(
    course: Course,
    reason: SuspensionReason,
    *,
    session_id: str | None,
    sessions: Sequence[Session],
    protocol: TreatmentProtocol,
    now: datetime,
) -> CourseChange:
    """The course waits for a clinician: no booked session goes ahead without review."""
    suspended = CourseSuspended(
        course_id=course.course_id,
        reason_code=reason,
        session_id=session_id,
        suspended_at=now,
        protocol=protocol.ref,
    )
    return cancel_scheduled(
        sessions, CancellationReason.COURSE_SUSPENDED, protocol, now
    ) + CourseChange(
        events=(suspended,),
        course=replace(course, status=CourseStatus.SUSPENDED, status_reason=reason.value),
    )


def rebook(
    course: Course,
    replaced: Session,
    sessions: Sequence[Session],
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """A replacement in the next free slot; if none is left in the window, clinical review."""
    earliest = max(start_of_day(now) + timedelta(days=policy.reschedule_after_days), now)
    booked = [
        other.scheduled_for
        for other in sessions
        if other.status in OCCUPYING and other.session_id != replaced.session_id
    ]
    before = (
        course.window_ends_at
        if replaced.kind == SessionKind.INDUCTION
        else earliest + timedelta(days=policy.booking_horizon_days)
    )
    slot = next_free_slot(earliest, booked, protocol.course, policy.calendar, before=before)
    if slot is None:
        return suspend(
            course,
            SuspensionReason.WINDOW_EXCEEDED,
            session_id=replaced.session_id,
            sessions=[other for other in sessions if other.session_id != replaced.session_id],
            protocol=protocol,
            now=now,
        )
    return book(
        course,
        session_id=session_id_for(seed, replaced.session_number),
        number=replaced.session_number,
        kind=replaced.kind,
        slot=slot,
        protocol=protocol,
        policy=policy,
        now=now,
        replaces=replaced.session_id,
    )

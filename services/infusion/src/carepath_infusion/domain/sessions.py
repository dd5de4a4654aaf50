"""Session lifecycle: check-in gate, end of infusion, abort, discharge and missed sessions."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from carepath_contracts import (
    CourseCompleted,
    DischargeAssessed,
    PatientDischarged,
    SessionAborted,
    SessionAbortReported,
    SessionCheckedIn,
    SessionCleared,
    SessionCompleted,
    SessionDeferred,
    SessionEnded,
    SessionKind,
    SessionMissed,
    SuspensionReason,
    TreatmentProtocol,
)
from carepath_infusion.domain.booking import missed_timer_key, rebook, suspend
from carepath_infusion.domain.calendar import Policy
from carepath_infusion.domain.checks import deferral_reasons, unmet_discharge_criteria
from carepath_infusion.domain.model import (
    GIVEN,
    NOTHING,
    Course,
    CourseChange,
    CourseStatus,
    HistoryEntry,
    RuleBroken,
    Session,
    SessionStatus,
)
from carepath_infusion.domain.monitoring import silence_timer, silence_timer_key
from carepath_infusion.domain.planning import round_to_step
from carepath_infusion.domain.record import judge_record
from carepath_infusion.domain.safety import alert_history

_MAX_OBSERVED_MINUTES = 1440  # the contract's bound: a day


def check_in(
    course: Course,
    session: Session,
    sessions: Sequence[Session],
    checked_in: SessionCheckedIn,
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """Cleared when every pre-infusion check passes; otherwise deferred and rebooked."""
    _require_open(course, session)
    _require(session, SessionStatus.SCHEDULED, "check in")
    reasons = deferral_reasons(checked_in, protocol.check_in_gate)
    stop_missed_timer = CourseChange(cancelled_timers=(missed_timer_key(session.session_id),))
    if not reasons:
        cleared = replace(
            session,
            status=SessionStatus.IN_PROGRESS,
            baseline_vitals=checked_in.vitals,
            checked_in_at=checked_in.checked_in_at,
        )
        event = SessionCleared(
            session_id=session.session_id,
            course_id=session.course_id,
            session_number=session.session_number,
            cleared_at=now,
            protocol=protocol.ref,
        )
        return stop_missed_timer + CourseChange(
            events=(event,),
            sessions=(cleared,),
            history=(_entry(cleared, now, {"checked_in_at": checked_in.checked_in_at}),),
            timers=(silence_timer(session.session_id, now, protocol),),
        )
    deferred = replace(session, status=SessionStatus.DEFERRED, checked_in_at=now)
    event = SessionDeferred(
        session_id=session.session_id,
        course_id=session.course_id,
        session_number=session.session_number,
        reason_codes=reasons,
        deferred_at=now,
        protocol=protocol.ref,
    )
    return (
        stop_missed_timer
        + CourseChange(
            events=(event,),
            sessions=(deferred,),
            history=(_entry(deferred, now, {"reason_codes": [str(r) for r in reasons]}),),
        )
        + rebook(
            course,
            deferred,
            _with(sessions, deferred),
            protocol=protocol,
            policy=policy,
            now=now,
            seed=seed,
        )
    )


def end_session(
    course: Course,
    session: Session,
    sessions: Sequence[Session],
    ended: SessionEnded,
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
) -> CourseChange:
    """The infusion was given: completed, and possibly the course completed or suspended.

    A second report for a session already completed changes nothing: a session is completed
    once, whichever event id the report came with.
    """
    if session.status in GIVEN:
        return NOTHING
    _require(session, SessionStatus.IN_PROGRESS, "end")
    completed = replace(
        session,
        status=SessionStatus.COMPLETED,
        ended_at=ended.ended_at,
        dose_given_mg=ended.dose_given_mg,
        serious_adverse_event=ended.serious_adverse_event,
    )
    induction_given = sum(
        1
        for other in _with(sessions, completed)
        if other.kind == SessionKind.INDUCTION and other.status in GIVEN
    )
    is_last = (
        session.kind == SessionKind.INDUCTION
        and induction_given >= protocol.course.induction_sessions
    )
    deviation = round_to_step(
        abs(ended.dose_given_mg - session.dose_mg), protocol.dosing.dose_rounding_mg
    )
    record = judge_record(session.session_id, session.dose_mg, ended, protocol)
    event = SessionCompleted(
        session_id=session.session_id,
        course_id=session.course_id,
        session_number=session.session_number,
        kind=session.kind,
        dose_planned_mg=session.dose_mg,
        dose_given_mg=ended.dose_given_mg,
        dose_deviation=deviation > policy.dose_deviation_tolerance_mg,
        duration_minutes=ended.duration_minutes,
        adverse_effects=ended.adverse_effects,
        peak_dissociation_cadss=ended.peak_dissociation_cadss,
        serious_adverse_event=ended.serious_adverse_event,
        completed_at=now,
        is_last_induction_session=is_last,
        deviations=record.deviations,
        protocol=protocol.ref,
    )
    detail = {
        "dose_given_mg": ended.dose_given_mg,
        "duration_minutes": ended.duration_minutes,
        "dose_deviation": event.dose_deviation,
        "deviations": [str(code) for code in record.deviations],
    }
    change = CourseChange(
        events=(event, *record.alerts),
        sessions=(completed,),
        history=(_entry(completed, now, detail), *alert_history(record.alerts, now)),
        cancelled_timers=(silence_timer_key(session.session_id),),
    )
    suspends = (
        ended.serious_adverse_event
        and protocol.infusion_safety.serious_adverse_event_suspends_course
        and course.status in (CourseStatus.ACTIVE, CourseStatus.COMPLETED)
    )
    if suspends:
        # Precedence over completion: a serious adverse event always goes to clinical review.
        return change + suspend(
            course,
            SuspensionReason.SERIOUS_ADVERSE_EVENT,
            session_id=session.session_id,
            sessions=_with(sessions, completed),
            protocol=protocol,
            now=now,
        )
    if is_last and course.status == CourseStatus.ACTIVE:
        done = CourseCompleted(
            course_id=course.course_id,
            sessions_completed=induction_given,
            last_session_id=session.session_id,
            completed_at=now,
            protocol=protocol.ref,
        )
        completed = replace(course, status=CourseStatus.COMPLETED)
        change += CourseChange(events=(done,), course=completed)
    return change


def abort_session(
    course: Course,
    session: Session,
    sessions: Sequence[Session],
    reported: SessionAbortReported,
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """An infusion stopped early does not count: it is aborted and a replacement is booked."""
    if session.status == SessionStatus.ABORTED:
        return NOTHING
    _require(session, SessionStatus.IN_PROGRESS, "abort")
    aborted = replace(
        session,
        status=SessionStatus.ABORTED,
        ended_at=reported.aborted_at,
        dose_given_mg=reported.dose_given_mg,
    )
    event = SessionAborted(
        session_id=session.session_id,
        course_id=session.course_id,
        session_number=session.session_number,
        kind=session.kind,
        reason_code=reported.reason_code,
        dose_given_mg=reported.dose_given_mg,
        aborted_at=reported.aborted_at,
        protocol=protocol.ref,
    )
    change = CourseChange(
        events=(event,),
        sessions=(aborted,),
        history=(_entry(aborted, now, {"reason_code": reported.reason_code.value}),),
        cancelled_timers=(silence_timer_key(session.session_id),),
    )
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.COMPLETED):
        return change
    return change + rebook(
        course,
        aborted,
        _with(sessions, aborted),
        protocol=protocol,
        policy=policy,
        now=now,
        seed=seed,
    )


def discharge(
    session: Session, discharged: PatientDischarged, *, protocol: TreatmentProtocol, now: datetime
) -> CourseChange:
    """The reported discharge checked against observation time and the discharge criteria."""
    if session.discharged_at is not None:
        return NOTHING
    if session.status not in (SessionStatus.COMPLETED, SessionStatus.ABORTED):
        raise RuleBroken(
            f"session {session.session_id} is {session.status.value}; discharge needs an "
            "infusion that ended or was aborted"
        )
    assert session.ended_at is not None  # set by both transitions above
    observed = int((discharged.discharged_at - session.ended_at).total_seconds() // 60)
    observed = min(max(observed, 0), _MAX_OBSERVED_MINUTES)
    unmet = unmet_discharge_criteria(
        discharged, session.baseline_vitals, observed, protocol.discharge
    )
    status = (
        SessionStatus.DISCHARGED if session.status == SessionStatus.COMPLETED else session.status
    )
    after = replace(session, status=status, discharged_at=discharged.discharged_at)
    assessed = DischargeAssessed(
        session_id=session.session_id,
        criteria_met=not unmet,
        unmet_criteria=unmet,
        observed_minutes=observed,
        assessed_at=now,
        protocol=protocol.ref,
    )
    detail = {"observed_minutes": observed, "unmet_criteria": [str(c) for c in unmet]}
    return CourseChange(
        events=(assessed,),
        sessions=(after,),
        history=(HistoryEntry(session.session_id, now, "discharged", detail),),
    )


def miss_session(
    course: Course,
    session: Session,
    sessions: Sequence[Session],
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """No check-in by slot + grace: missed and rebooked (or the course goes to review)."""
    if session.status != SessionStatus.SCHEDULED:
        return NOTHING  # checked in, cancelled or replaced meanwhile
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.COMPLETED):
        return NOTHING
    missed = replace(session, status=SessionStatus.MISSED)
    event = SessionMissed(
        session_id=session.session_id,
        course_id=session.course_id,
        session_number=session.session_number,
        kind=session.kind,
        scheduled_for=session.scheduled_for,
        missed_at=now,
        protocol=protocol.ref,
    )
    return CourseChange(
        events=(event,), sessions=(missed,), history=(_entry(missed, now, {}),)
    ) + rebook(
        course,
        missed,
        _with(sessions, missed),
        protocol=protocol,
        policy=policy,
        now=now,
        seed=seed,
    )


def _require_open(course: Course, session: Session) -> None:
    open_for = {
        CourseStatus.ACTIVE: True,
        CourseStatus.COMPLETED: session.kind == SessionKind.MAINTENANCE,
    }
    if not open_for.get(course.status, False):
        raise RuleBroken(
            f"course {course.course_id} is {course.status.value}: "
            f"session {session.session_id} cannot go ahead"
        )


def _require(session: Session, status: SessionStatus, action: str) -> None:
    if session.status != status:
        raise RuleBroken(
            f"cannot {action} session {session.session_id}: it is {session.status.value}, "
            f"not {status.value}"
        )


def _with(sessions: Sequence[Session], changed: Session) -> list[Session]:
    return [changed if s.session_id == changed.session_id else s for s in sessions]


def _entry(session: Session, now: datetime, detail: dict) -> HistoryEntry:
    return HistoryEntry(
        session.session_id,
        now,
        session.status.value,
        {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in detail.items()
        },
    )

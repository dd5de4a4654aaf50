"""Course-level rules: planning on eligibility, withdrawal, and maintenance infusions."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import (
    CancellationReason,
    CoursePlanned,
    MaintenanceRecommended,
    PatientScreened,
    PlanningFailed,
    PlanningFailure,
    ScreeningOutcome,
    SessionKind,
    TreatmentProtocol,
)
from carepath_infusion.domain.booking import (
    book,
    cancel_scheduled,
    course_id_for,
    session_id_for,
)
from carepath_infusion.domain.calendar import Policy, start_of_day
from carepath_infusion.domain.model import (
    NOTHING,
    OCCUPYING,
    Course,
    CourseChange,
    CourseStatus,
    RuleBroken,
    Session,
    SessionStatus,
)
from carepath_infusion.domain.planning import dose_for, next_free_slot, plan_induction, window_end


def plan_course(
    screened: PatientScreened,
    existing: Course | None,
    *,
    patient_id: str,
    correlation_id: str,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """An eligible, final screening plans a course; anything else, or a second one, does nothing."""
    if not screened.final or screened.outcome != ScreeningOutcome.ELIGIBLE:
        return NOTHING
    if existing is not None:
        return NOTHING  # re-screened (e.g. after a review): the course already planned stands
    if screened.dosing_weight_kg is None:
        raise RuleBroken(f"patient {patient_id} was screened eligible without a dosing weight")
    dose = dose_for(screened.dosing_weight_kg, protocol.dosing)
    if dose.mg > protocol.dosing.max_dose_mg:
        return planning_failed(
            PlanningFailure.DOSE_ABOVE_MAXIMUM, SessionKind.INDUCTION, protocol, now, dose=dose.mg
        )
    earliest_day = start_of_day(screened.screened_at) + timedelta(
        days=protocol.course.first_session_min_days_after_eligibility
    )
    slots = plan_induction(max(earliest_day, now), protocol.course, policy.calendar)
    if slots is None:
        return planning_failed(
            PlanningFailure.NO_PLAN_FITS_CALENDAR, SessionKind.INDUCTION, protocol, now
        )
    course = Course(
        course_id=course_id_for(seed),
        patient_id=patient_id,
        correlation_id=correlation_id,
        status=CourseStatus.ACTIVE,
        protocol=protocol.ref,
        dosing_weight_kg=screened.dosing_weight_kg,
        dose=dose,
        first_session_at=slots[0],
        window_ends_at=window_end(slots[0], protocol.course),
        planned_at=now,
    )
    planned = CoursePlanned(
        course_id=course.course_id,
        session_count=len(slots),
        first_session_at=course.first_session_at,
        window_ends_at=course.window_ends_at,
        dose_mg=dose.mg,
        rate_mg_per_min=dose.rate_mg_per_min,
        duration_minutes=dose.minutes,
        dosing_weight_kg=screened.dosing_weight_kg,
        protocol=protocol.ref,
    )
    change = CourseChange(events=(planned,), course=course)
    for number, slot in enumerate(slots, start=1):
        change += book(
            course,
            session_id=session_id_for(seed, number),
            number=number,
            kind=SessionKind.INDUCTION,
            slot=slot,
            protocol=protocol,
            policy=policy,
            now=now,
        )
    return change


def withdraw(
    course: Course | None,
    sessions: Sequence[Session],
    *,
    protocol: TreatmentProtocol,
    now: datetime,
) -> CourseChange:
    """Every future session is cancelled; a patient without a course has nothing to cancel."""
    if course is None or course.status == CourseStatus.WITHDRAWN:
        return NOTHING
    withdrawn = replace(course, status=CourseStatus.WITHDRAWN, status_reason="withdrawn")
    return cancel_scheduled(
        sessions, CancellationReason.PATIENT_WITHDRAWN, protocol, now
    ) + CourseChange(course=withdrawn)


def recommend_maintenance(
    course: Course | None,
    sessions: Sequence[Session],
    recommended: MaintenanceRecommended,
    *,
    protocol: TreatmentProtocol,
    policy: Policy,
    now: datetime,
    seed: str,
) -> CourseChange:
    """A maintenance infusion on the first clinic slot on or after the recommended day.

    A newer recommendation replaces a maintenance session that is still waiting for its day.
    """
    if course is None:
        raise RuleBroken("maintenance recommended for a patient with no infusion course")
    if course.status != CourseStatus.COMPLETED:
        raise RuleBroken(
            f"maintenance recommended but course {course.course_id} is {course.status.value}; "
            "it needs a completed induction course"
        )
    limits = protocol.maintenance
    if not limits.interval_days_min <= recommended.interval_days <= limits.interval_days_max:
        raise RuleBroken(
            f"maintenance interval_days={recommended.interval_days} is outside the protocol's "
            f"{limits.interval_days_min}-{limits.interval_days_max} days"
        )
    waiting = [
        session
        for session in sessions
        if session.kind == SessionKind.MAINTENANCE and session.status == SessionStatus.SCHEDULED
    ]
    replaced = cancel_scheduled(waiting, CancellationReason.REPLACED, protocol, now)
    waiting_ids = {session.session_id for session in waiting}
    booked = [
        session.scheduled_for
        for session in sessions
        if session.status in OCCUPYING and session.session_id not in waiting_ids
    ]
    earliest = max(
        start_of_day(recommended.recommended_at) + timedelta(days=recommended.interval_days), now
    )
    slot = next_free_slot(
        earliest,
        booked,
        protocol.course,
        policy.calendar,
        before=earliest + timedelta(days=policy.booking_horizon_days),
    )
    if slot is None:
        return planning_failed(
            PlanningFailure.NO_SLOT_IN_HORIZON,
            SessionKind.MAINTENANCE,
            protocol,
            now,
            course_id=course.course_id,
        )
    number = max((session.session_number for session in sessions), default=0) + 1
    return replaced + book(
        course,
        session_id=session_id_for(seed, number),
        number=number,
        kind=SessionKind.MAINTENANCE,
        slot=slot,
        protocol=protocol,
        policy=policy,
        now=now,
        replaces=waiting[0].session_id if waiting else None,
    )


def planning_failed(
    reason: PlanningFailure,
    kind: SessionKind,
    protocol: TreatmentProtocol,
    now: datetime,
    *,
    course_id: str | None = None,
    dose: float | None = None,
) -> CourseChange:
    """Nothing is booked; the fact goes to a clinician (a review), never to a dead letter."""
    failed = PlanningFailed(
        reason_code=reason,
        kind=kind,
        course_id=course_id,
        dose_mg=dose,
        max_dose_mg=protocol.dosing.max_dose_mg if dose is not None else None,
        failed_at=now,
        protocol=protocol.ref,
    )
    return CourseChange(events=(failed,))

"""Plain-value helpers for the pure domain tests: a planned course and its sessions."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from carepath_contracts import ScreeningOutcome
from carepath_infusion.domain.calendar import ClinicCalendar, Policy
from carepath_infusion.domain.course import plan_course
from carepath_infusion.domain.model import Course, CourseChange, Session, SessionStatus

from .builders import PROTOCOL, screened

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WEEKDAYS = (1, 2, 3, 4, 5)


def policy(clinic_days=WEEKDAYS, slots=(time(9, 0), time(13, 0)), **overrides) -> Policy:
    values = {
        "calendar": ClinicCalendar.of(clinic_days, slots),
        "missed_grace": timedelta(hours=2),
        "reschedule_after_days": 1,
        "dose_deviation_tolerance_mg": 0.0,
        "booking_horizon_days": 60,
    }
    return Policy(**(values | overrides))


def planned(
    at: datetime = MONDAY,
    rules: Policy | None = None,
    patient_id: str = "pt-domain",
    *,
    weight_kg: float = 82.5,
) -> CourseChange:
    event = screened(patient_id, at, outcome=ScreeningOutcome.ELIGIBLE, weight_kg=weight_kg)
    return plan_course(
        event.data,
        None,
        patient_id=patient_id,
        correlation_id="pw-domain",
        protocol=PROTOCOL,
        policy=rules or policy(),
        now=at,
        seed=event.id,
    )


def course_and_sessions(at: datetime = MONDAY, rules: Policy | None = None):
    decision = planned(at, rules)
    assert decision.course is not None
    return decision.course, sorted(decision.sessions, key=lambda s: s.scheduled_for)


def merged(sessions: list[Session], decision: CourseChange) -> list[Session]:
    """The sessions after a decision: changed ones replaced, new ones added, in slot order."""
    by_id = {session.session_id: session for session in sessions}
    by_id.update({session.session_id: session for session in decision.sessions})
    return sorted(by_id.values(), key=lambda s: s.scheduled_for)


def in_progress(session: Session, vitals=None) -> Session:
    from .builders import CALM

    return replace(
        session,
        status=SessionStatus.IN_PROGRESS,
        baseline_vitals=vitals or CALM,
        checked_in_at=session.scheduled_for - timedelta(minutes=20),
    )


def course_after(course: Course, decision: CourseChange) -> Course:
    return decision.course or course


def types(decision: CourseChange) -> list[str]:
    return [type(data).__name__ for data in decision.events]

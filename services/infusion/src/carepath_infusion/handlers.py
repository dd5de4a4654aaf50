"""One handler per incoming event and timer: load state, let the domain decide, store, emit."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carepath_contracts import (
    Event,
    MaintenanceRecommended,
    PatientDischarged,
    PatientScreened,
    PatientWithdrawn,
    ProtocolCatalogue,
    ReviewOutcomeRecorded,
    SessionAbortReported,
    SessionCheckedIn,
    SessionEnded,
    TreatmentProtocol,
    VitalsRecorded,
)
from carepath_infusion import domain, store
from carepath_infusion.domain import Course, CourseChange, Policy, RuleBroken, Session
from carepath_infusion.settings import InfusionSettings
from carepath_infusion.watched import WatchedSessions
from carepath_runtime.handling import Handlers
from carepath_runtime.timers import Timer
from carepath_runtime.unit_of_work import Cause, UnitOfWork, patient_of


@dataclass(frozen=True)
class Rules:
    """What infusion's handlers decide by: every protocol version (each course is decided
    under the version its pathway started under) and the clinic's policy."""

    protocols: ProtocolCatalogue
    policy: Policy

    def protocol_of(self, course: Course | None) -> TreatmentProtocol:
        return self.protocols.current if course is None else self.protocols.of(course.protocol)


def rules_for(protocols: ProtocolCatalogue, settings: InfusionSettings) -> Rules:
    return Rules(protocols, settings.policy)


async def prefetch(unit: UnitOfWork, events: Sequence[Event[Any]]) -> None:
    """Read every session a batch of vitals is about in one query (the hot path)."""
    session_ids = {e.data.session_id for e in events if e.type == VitalsRecorded.event_type}
    if session_ids:
        await WatchedSessions.of(unit).prefetch(session_ids)


async def on_patient_screened(
    unit: UnitOfWork, event: Event[PatientScreened], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    change = domain.plan_course(
        event.data,
        course,
        patient_id=event.subject,
        correlation_id=event.correlationid,
        protocol=rules.protocols.of(event.data.protocol),
        policy=rules.policy,
        now=unit.now(),
        seed=event.id,
    )
    await _apply(unit, change, event)


async def on_patient_withdrawn(
    unit: UnitOfWork, event: Event[PatientWithdrawn], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    sessions = (
        [] if course is None else await store.sessions_of_course(unit.session, course.course_id)
    )
    change = domain.withdraw(course, sessions, protocol=rules.protocol_of(course), now=unit.now())
    await _apply(unit, change, event)
    await unit.cancel_patient_timers(event.subject)


async def on_session_checked_in(
    unit: UnitOfWork, event: Event[SessionCheckedIn], rules: Rules
) -> None:
    course, sessions, session = await _session_of(unit, event)
    change = domain.check_in(
        course, session, sessions, event.data, **_context(unit, rules, course), seed=event.id
    )
    await _apply(unit, change, event)


async def on_vitals_recorded(unit: UnitOfWork, event: Event[VitalsRecorded], rules: Rules) -> None:
    # The hot path: the session comes from the batch's prefetch, and a write happens only
    # when an alert episode opens or closes (buffered) or an alert is raised.
    reading = event.data
    watched = WatchedSessions.of(unit)
    decision = domain.judge_reading(
        await watched.get(reading.session_id),
        event.subject,
        reading,
        protocols=rules.protocols,
        now=unit.now(),
    )
    watched.set_open_rules(reading.session_id, decision.open_rules)
    if decision.silent_at is not None:
        unit.rearm_timer_later(domain.silence_timer_key(reading.session_id), decision.silent_at)
    if decision.alerts:
        await _apply(unit, CourseChange(events=decision.alerts, history=decision.history), event)


async def on_session_ended(unit: UnitOfWork, event: Event[SessionEnded], rules: Rules) -> None:
    course, sessions, session = await _session_of(unit, event)
    change = domain.end_session(
        course, session, sessions, event.data, **_context(unit, rules, course)
    )
    await _apply(unit, change, event)


async def on_session_abort_reported(
    unit: UnitOfWork, event: Event[SessionAbortReported], rules: Rules
) -> None:
    course, sessions, session = await _session_of(unit, event)
    change = domain.abort_session(
        course, session, sessions, event.data, **_context(unit, rules, course), seed=event.id
    )
    await _apply(unit, change, event)


async def on_patient_discharged(
    unit: UnitOfWork, event: Event[PatientDischarged], rules: Rules
) -> None:
    course, _, session = await _session_of(unit, event)
    protocol = rules.protocol_of(course)
    change = domain.discharge(session, event.data, protocol=protocol, now=unit.now())
    await _apply(unit, change, event)


async def on_maintenance_recommended(
    unit: UnitOfWork, event: Event[MaintenanceRecommended], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    sessions = (
        [] if course is None else await store.sessions_of_course(unit.session, course.course_id)
    )
    change = domain.recommend_maintenance(
        course, sessions, event.data, **_context(unit, rules, course), seed=event.id
    )
    await _apply(unit, change, event)


async def on_review_outcome_recorded(
    unit: UnitOfWork, event: Event[ReviewOutcomeRecorded], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    sessions = (
        [] if course is None else await store.sessions_of_course(unit.session, course.course_id)
    )
    change = domain.act_on_review_outcome(
        course, sessions, event.data, **_context(unit, rules, course), seed=event.id
    )
    await _apply(unit, change, event)


async def on_session_missed(unit: UnitOfWork, timer: Timer, rules: Rules) -> None:
    course, sessions, session = await _timer_session(unit, timer)
    change = domain.miss_session(
        course, session, sessions, **_context(unit, rules, course), seed=timer.timer_key
    )
    await _apply(unit, change, timer)


async def on_monitor_silent(unit: UnitOfWork, timer: Timer, rules: Rules) -> None:
    course, _, session = await _timer_session(unit, timer)
    change = domain.monitor_silent(
        session, due_at=timer.due_at, protocol=rules.protocol_of(course), now=unit.now()
    )
    await _apply(unit, change, timer)


HANDLERS = Handlers[Rules](
    events={
        PatientScreened: on_patient_screened,
        PatientWithdrawn: on_patient_withdrawn,
        SessionCheckedIn: on_session_checked_in,
        VitalsRecorded: on_vitals_recorded,
        SessionEnded: on_session_ended,
        SessionAbortReported: on_session_abort_reported,
        PatientDischarged: on_patient_discharged,
        MaintenanceRecommended: on_maintenance_recommended,
        ReviewOutcomeRecorded: on_review_outcome_recorded,
    },
    timers={domain.MISSED_TIMER: on_session_missed, domain.SILENCE_TIMER: on_monitor_silent},
    refusals=(RuleBroken,),
)


async def _course_of(unit: UnitOfWork, patient_id: str) -> Course | None:
    # The vitals hot path buffers its writes to sessions: every other read comes after them.
    await unit.flush()
    return await store.course_of_patient(unit.session, patient_id, for_update=True)


def _context(unit: UnitOfWork, rules: Rules, course: Course | None) -> dict[str, Any]:
    """The protocol of the patient's course (the version their pathway started under)."""
    return {"protocol": rules.protocol_of(course), "policy": rules.policy, "now": unit.now()}


async def _session_of(unit: UnitOfWork, event: Event[Any]) -> tuple[Course, list[Session], Session]:
    session_id = event.data.session_id
    course = await _course_of(unit, event.subject)
    if course is None:
        raise RuleBroken(f"session {session_id}: patient {event.subject} has no infusion course")
    sessions = await store.sessions_of_course(unit.session, course.course_id)
    return course, sessions, _find(sessions, session_id, event.subject)


async def _timer_session(unit: UnitOfWork, timer: Timer) -> tuple[Course, list[Session], Session]:
    """The course and session a session timer (missed, monitor silence) is about."""
    course = await _course_of(unit, timer.patient_id)
    if course is None:
        raise RuleBroken(f"{timer.kind} timer {timer.timer_key}: patient has no course")
    sessions = await store.sessions_of_course(unit.session, course.course_id)
    return course, sessions, _find(sessions, timer.payload["session_id"], timer.patient_id)


def _find(sessions: list[Session], session_id: str, patient_id: str) -> Session:
    for session in sessions:
        if session.session_id == session_id:
            return session
    raise RuleBroken(f"session {session_id} is not a session of patient {patient_id}")


async def _apply(unit: UnitOfWork, change: CourseChange, cause: Cause) -> None:
    """Store what the domain decided, set and cancel its timers, emit its events."""
    if change.sessions:
        WatchedSessions.of(unit).forget()
    now = unit.now()
    if change.course is not None:
        await store.save_course(unit.session, change.course, at=now)
    await store.save_sessions(unit.session, change.sessions, at=now)
    store.add_history_later(unit, patient_of(cause), change.history)
    for key in change.cancelled_timers:
        await unit.cancel_timer(key)
    await unit.schedule_timers(change.timers, cause)
    await unit.emit_caused_by(cause, change.events)

"""One handler per incoming event and timer: load state, let the domain decide, store, emit."""

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ParamSpec

from carepath_contracts import (
    Event,
    EventData,
    MaintenanceRecommended,
    PatientDischarged,
    PatientScreened,
    PatientWithdrawn,
    SessionAbortReported,
    SessionCheckedIn,
    SessionEnded,
    TreatmentProtocol,
    VitalsRecorded,
    carepath_source,
    caused_by,
)
from carepath_infusion import store
from carepath_infusion.domain import course as course_rules
from carepath_infusion.domain import sessions as session_rules
from carepath_infusion.domain.booking import MISSED_TIMER
from carepath_infusion.domain.calendar import Policy
from carepath_infusion.domain.model import Course, Decision, RuleBroken, Session
from carepath_infusion.domain.safety import alert_history, monitor
from carepath_infusion.settings import InfusionSettings
from carepath_runtime.consumer import Handler
from carepath_runtime.errors import RuleViolationError
from carepath_runtime.timers import Timer, TimerHandler, caused_by_timer
from carepath_runtime.unit_of_work import UnitOfWork

SOURCE = carepath_source("infusion")
MONITOR_STATES = "infusion.monitor_states"


async def prefetch(unit: UnitOfWork, events: Sequence[Event[Any]]) -> None:
    """Read every session a batch of vitals is about in one query (the hot path)."""
    session_ids = {e.data.session_id for e in events if e.type == VitalsRecorded.event_type}
    if session_ids:
        unit.cache[MONITOR_STATES] = await store.monitor_states(unit.session, session_ids)


P = ParamSpec("P")


@dataclass(frozen=True)
class Rules:
    protocol: TreatmentProtocol
    policy: Policy


def _rule_violations(handler: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
    """A broken rule can never succeed on retry: the runtime dead-letters it with the reason."""

    @functools.wraps(handler)
    async def handle(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await handler(*args, **kwargs)
        except RuleBroken as error:
            raise RuleViolationError(str(error)) from error

    return handle


@_rule_violations
async def on_patient_screened(
    unit: UnitOfWork, event: Event[PatientScreened], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    decision = course_rules.plan_course(
        event.data,
        course,
        patient_id=event.subject,
        correlation_id=event.correlationid,
        protocol=rules.protocol,
        policy=rules.policy,
        now=unit.now(),
        seed=event.id,
    )
    await _apply(unit, decision, event)


@_rule_violations
async def on_patient_withdrawn(
    unit: UnitOfWork, event: Event[PatientWithdrawn], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    sessions = (
        [] if course is None else await store.sessions_of_course(unit.session, course.course_id)
    )
    decision = course_rules.withdraw(course, sessions, protocol=rules.protocol, now=unit.now())
    await _apply(unit, decision, event)
    await unit.cancel_patient_timers(event.subject)


@_rule_violations
async def on_session_checked_in(
    unit: UnitOfWork, event: Event[SessionCheckedIn], rules: Rules
) -> None:
    course, sessions, session = await _session_of(unit, event)
    decision = session_rules.check_in(
        course, session, sessions, event.data, **_context(unit, rules), seed=event.id
    )
    await _apply(unit, decision, event)


@_rule_violations
async def on_vitals_recorded(unit: UnitOfWork, event: Event[VitalsRecorded], rules: Rules) -> None:
    # The hot path: the batch's prefetch read the session; a write only when an alert
    # episode opens or closes.
    reading = event.data
    prefetched = unit.cache.get(MONITOR_STATES, {})
    state = prefetched.get(reading.session_id)
    if state is None:
        await unit.flush()  # earlier readings of this batch may have buffered rule changes
        state = await store.monitor_state(unit.session, reading.session_id)
    if state is None or state.patient_id != event.subject:
        raise RuleBroken(f"vitals for session {reading.session_id}, unknown for {event.subject}")
    outcome = monitor(state.status, state.open_alert_rules, reading, rules.protocol)
    if outcome.open_rules != state.open_alert_rules:
        store.set_open_alert_rules_later(
            unit, reading.session_id, outcome.open_rules, at=unit.now()
        )
        if reading.session_id in prefetched:
            prefetched[reading.session_id] = replace(state, open_alert_rules=outcome.open_rules)
    if outcome.alerts:
        await _apply(
            unit,
            Decision(
                events=outcome.alerts, history=tuple(alert_history(outcome.alerts, unit.now()))
            ),
            event,
        )


@_rule_violations
async def on_session_ended(unit: UnitOfWork, event: Event[SessionEnded], rules: Rules) -> None:
    course, sessions, session = await _session_of(unit, event)
    decision = session_rules.end_session(
        course, session, sessions, event.data, **_context(unit, rules)
    )
    await _apply(unit, decision, event)


@_rule_violations
async def on_session_abort_reported(
    unit: UnitOfWork, event: Event[SessionAbortReported], rules: Rules
) -> None:
    course, sessions, session = await _session_of(unit, event)
    decision = session_rules.abort_session(
        course, session, sessions, event.data, **_context(unit, rules), seed=event.id
    )
    await _apply(unit, decision, event)


@_rule_violations
async def on_patient_discharged(
    unit: UnitOfWork, event: Event[PatientDischarged], rules: Rules
) -> None:
    _, _, session = await _session_of(unit, event)
    decision = session_rules.discharge(session, event.data, protocol=rules.protocol, now=unit.now())
    await _apply(unit, decision, event)


@_rule_violations
async def on_maintenance_recommended(
    unit: UnitOfWork, event: Event[MaintenanceRecommended], rules: Rules
) -> None:
    course = await _course_of(unit, event.subject)
    sessions = (
        [] if course is None else await store.sessions_of_course(unit.session, course.course_id)
    )
    decision = course_rules.recommend_maintenance(
        course, sessions, event.data, **_context(unit, rules), seed=event.id
    )
    await _apply(unit, decision, event)


@_rule_violations
async def on_session_missed_timer(unit: UnitOfWork, timer: Timer, rules: Rules) -> None:
    course = await _course_of(unit, timer.patient_id)
    if course is None:
        raise RuleBroken(f"missed-session timer {timer.timer_key}: patient has no course")
    sessions = await store.sessions_of_course(unit.session, course.course_id)
    session = _find(sessions, timer.payload["session_id"], timer.patient_id)
    decision = session_rules.miss_session(
        course, session, sessions, **_context(unit, rules), seed=timer.timer_key
    )

    def envelope(data: EventData) -> Event[Any]:
        return caused_by_timer(timer, data, source=SOURCE, time=unit.now())

    await _store_and_emit(
        unit,
        decision,
        patient_id=timer.patient_id,
        correlation_id=timer.correlation_id,
        cause_id=timer.caused_by_event_id,
        envelope=envelope,
    )


def handlers(protocol: TreatmentProtocol, settings: InfusionSettings) -> dict[str, Handler]:
    rules = Rules(protocol, settings.policy)
    by_type = {
        PatientScreened: on_patient_screened,
        PatientWithdrawn: on_patient_withdrawn,
        SessionCheckedIn: on_session_checked_in,
        VitalsRecorded: on_vitals_recorded,
        SessionEnded: on_session_ended,
        SessionAbortReported: on_session_abort_reported,
        PatientDischarged: on_patient_discharged,
        MaintenanceRecommended: on_maintenance_recommended,
    }
    return {
        model.event_type: functools.partial(handler, rules=rules)
        for model, handler in by_type.items()
    }


def timer_handlers(
    protocol: TreatmentProtocol, settings: InfusionSettings
) -> dict[str, TimerHandler]:
    rules = Rules(protocol, settings.policy)
    return {MISSED_TIMER: functools.partial(on_session_missed_timer, rules=rules)}


async def _course_of(unit: UnitOfWork, patient_id: str) -> Course | None:
    # The vitals hot path buffers its writes to sessions: every other read comes after them.
    await unit.flush()
    return await store.course_of_patient(unit.session, patient_id, for_update=True)


def _context(unit: UnitOfWork, rules: Rules) -> dict[str, Any]:
    return {"protocol": rules.protocol, "policy": rules.policy, "now": unit.now()}


async def _session_of(unit: UnitOfWork, event: Event[Any]) -> tuple[Course, list[Session], Session]:
    session_id = event.data.session_id
    course = await _course_of(unit, event.subject)
    if course is None:
        raise RuleBroken(f"session {session_id}: patient {event.subject} has no infusion course")
    sessions = await store.sessions_of_course(unit.session, course.course_id)
    return course, sessions, _find(sessions, session_id, event.subject)


def _find(sessions: list[Session], session_id: str, patient_id: str) -> Session:
    for session in sessions:
        if session.session_id == session_id:
            return session
    raise RuleBroken(f"session {session_id} is not a session of patient {patient_id}")


async def _apply(unit: UnitOfWork, decision: Decision, event: Event[Any]) -> None:
    def envelope(data: EventData) -> Event[Any]:
        return caused_by(event, data, source=SOURCE, time=unit.now())

    await _store_and_emit(
        unit,
        decision,
        patient_id=event.subject,
        correlation_id=event.correlationid,
        cause_id=event.id,
        envelope=envelope,
    )


async def _store_and_emit(
    unit: UnitOfWork,
    decision: Decision,
    *,
    patient_id: str,
    correlation_id: str,
    cause_id: str | None,
    envelope: Callable[[EventData], Event[Any]],
) -> None:
    now: datetime = unit.now()
    if decision.sessions:
        unit.cache.pop(MONITOR_STATES, None)  # sessions change: prefetched states are stale
    if decision.course is not None:
        await store.save_course(unit.session, decision.course, at=now)
    await store.save_sessions(unit.session, decision.sessions, at=now)
    store.add_history_later(unit, patient_id, decision.history)
    for key in decision.cancelled_timers:
        await unit.cancel_timer(key)
    for timer in decision.timers:
        await unit.schedule(
            key=timer.key,
            kind=timer.kind,
            patient_id=patient_id,
            correlation_id=correlation_id,
            due_at=timer.due_at,
            payload=timer.payload,
            caused_by_event_id=cause_id,
        )
    for data in decision.events:
        await unit.emit(envelope(data))

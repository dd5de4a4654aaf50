"""One handler per event and timer follow-up consumes: load, decide (domain), store, emit."""

import functools
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from carepath_contracts import (
    AssessmentSubmitted,
    CourseCompleted,
    CourseSuspended,
    Event,
    EventData,
    PatientScreened,
    PatientWithdrawn,
    SafetyAlert,
    SessionCompleted,
    TherapySessionAttended,
    TherapySessionMissed,
    TreatmentProtocol,
    carepath_source,
    caused_by,
)
from carepath_followup import domain, store
from carepath_followup.settings import FollowupSettings
from carepath_runtime.consumer import Handler
from carepath_runtime.errors import RuleViolationError
from carepath_runtime.timers import Timer, TimerHandler, caused_by_timer
from carepath_runtime.unit_of_work import UnitOfWork

SOURCE = carepath_source("followup")


def refusing_broken_rules(handler: Callable[[UnitOfWork, Any], Awaitable[None]]) -> Any:
    """The domain's refusals become the runtime's permanent error: dead-lettered, with reason."""

    @functools.wraps(handler)
    async def handle(unit: UnitOfWork, subject: Any) -> None:
        try:
            await handler(unit, subject)
        except domain.PathwayRuleError as error:
            raise RuleViolationError(str(error)) from error

    return handle


class FollowupHandlers:
    def __init__(self, protocol: TreatmentProtocol, settings: FollowupSettings) -> None:
        self.protocol = protocol
        self.settings = settings

    async def on_patient_screened(self, unit: UnitOfWork, event: Event[PatientScreened]) -> None:
        existing = await store.pathway(unit.session, event.subject, for_update=True)
        started = domain.pathway_started(
            existing,
            event.data,
            patient_id=event.subject,
            pathway_id=event.correlationid,
            protocol=self.protocol,
        )
        if started is None:
            return
        await store.add_pathway(unit.session, started.pathway)
        await self._schedule(unit, started.assessments, event)

    async def on_patient_withdrawn(self, unit: UnitOfWork, event: Event[PatientWithdrawn]) -> None:
        pathway = await store.pathway(unit.session, event.subject, for_update=True)
        if pathway is None:
            return  # never eligible here: follow-up has nothing to stop
        withdrawn = domain.pathway_withdrawn(pathway, event.data.withdrawn_at)
        await store.save_pathway(unit.session, withdrawn)
        await unit.cancel_patient_timers(event.subject)
        await store.cancel_open_assessments(unit.session, event.subject)

    async def on_session_completed(self, unit: UnitOfWork, event: Event[SessionCompleted]) -> None:
        pathway = await self._pathway(unit, event)
        therapy_id = domain.therapy_session_id_for(event.data.session_id)
        outcome = domain.infusion_completed(
            pathway,
            event.data,
            self.protocol,
            therapy_already_booked=await store.therapy_session(unit.session, therapy_id)
            is not None,
            booking_offset_hours=self.settings.therapy_booking_offset_hours,
            now=unit.now(),
        )
        await self._apply_infusion(unit, event, outcome)

    async def on_course_completed(self, unit: UnitOfWork, event: Event[CourseCompleted]) -> None:
        pathway = await self._pathway(unit, event)
        outcome = domain.course_completed(pathway, event.data, self.protocol)
        await self._apply_infusion(unit, event, outcome)

    async def on_course_suspended(self, unit: UnitOfWork, event: Event[CourseSuspended]) -> None:
        await self._pathway(unit, event)
        review = domain.suspension_review(event.data, self.protocol, unit.now())
        await self._decide(unit, event, [review])

    async def on_safety_alert(self, unit: UnitOfWork, event: Event[SafetyAlert]) -> None:
        await self._pathway(unit, event)
        serious = frozenset(self.settings.review_on_safety_actions)
        review = domain.safety_alert_review(event.data, self.protocol, unit.now(), serious)
        await self._decide(unit, event, [review] if review else [])

    async def on_assessment_submitted(
        self, unit: UnitOfWork, event: Event[AssessmentSubmitted]
    ) -> None:
        pathway = await self._pathway(unit, event)
        named = event.data.assessment_id
        history = await store.patient_scores(unit.session, pathway.patient_id)
        scoring = domain.score_submission(
            pathway,
            event.data,
            event_id=event.id,
            assessment=await store.assessment(unit.session, named) if named else None,
            history=history,
            protocol=self.protocol,
        )
        await store.add_score(unit.session, scoring.scored, at=unit.now())
        if scoring.assessment is not None:
            await store.save_assessment(unit.session, scoring.assessment)
        for key in scoring.cancel_timer_keys:
            await unit.cancel_timer(key)
        await self._emit(unit, event, [scoring.event])
        decided = domain.decide_after_score(
            pathway, scoring.scored, history, self.protocol, unit.now()
        )
        await store.save_pathway(unit.session, decided.pathway)
        if decided.completed:
            await unit.cancel_patient_timers(pathway.patient_id)
        await self._decide(unit, event, decided.decisions)

    async def on_therapy_attended(
        self, unit: UnitOfWork, event: Event[TherapySessionAttended]
    ) -> None:
        data = event.data
        await self._attendance(
            unit, event, data.therapy_session_id, domain.TherapyStatus.ATTENDED, data.attended_at
        )

    async def on_therapy_missed(self, unit: UnitOfWork, event: Event[TherapySessionMissed]) -> None:
        data = event.data
        await self._attendance(
            unit, event, data.therapy_session_id, domain.TherapyStatus.MISSED, data.missed_at
        )

    async def on_assessment_due(self, unit: UnitOfWork, timer: Timer) -> None:
        pathway, assessment = await self._timer_subjects(unit, timer)
        await self._apply_timer(
            unit, timer, domain.assessment_fell_due(pathway, assessment, self.protocol)
        )

    async def on_assessment_overdue(self, unit: UnitOfWork, timer: Timer) -> None:
        pathway, assessment = await self._timer_subjects(unit, timer)
        await self._apply_timer(
            unit, timer, domain.assessment_went_overdue(pathway, assessment, self.protocol)
        )

    async def _pathway(self, unit: UnitOfWork, event: Event[Any]) -> domain.Pathway:
        pathway = await store.pathway(unit.session, event.subject, for_update=True)
        if pathway is None:
            raise RuleViolationError(
                f"patient {event.subject}: follow-up has no pathway (no final, eligible "
                f"patient-screened seen); {event.type} refused"
            )
        return pathway

    async def _attendance(
        self,
        unit: UnitOfWork,
        event: Event[Any],
        therapy_id: str,
        status: domain.TherapyStatus,
        at: datetime,
    ) -> None:
        therapy = await store.therapy_session(unit.session, therapy_id)
        if therapy is None:
            raise RuleViolationError(f"therapy session {therapy_id} was never scheduled here")
        recorded = domain.attendance_recorded(therapy, event.subject, status, at)
        if recorded is not None:
            await store.save_therapy_session(unit.session, recorded)

    async def _apply_infusion(
        self, unit: UnitOfWork, event: Event[Any], outcome: domain.InfusionOutcome
    ) -> None:
        await store.save_pathway(unit.session, outcome.pathway)
        await self._schedule(unit, outcome.assessments, event)
        if outcome.therapy is not None:
            await store.add_therapy_session(unit.session, outcome.therapy)
        await self._emit(unit, event, outcome.events)
        await self._decide(unit, event, outcome.decisions)

    async def _timer_subjects(
        self, unit: UnitOfWork, timer: Timer
    ) -> tuple[domain.Pathway, domain.Assessment]:
        pathway = await store.pathway(unit.session, timer.patient_id, for_update=True)
        assessment = await store.assessment(unit.session, timer.payload["assessment_id"])
        if pathway is None or assessment is None:
            raise RuleViolationError(f"timer {timer.timer_key}: its pathway or assessment is gone")
        return pathway, assessment

    async def _apply_timer(
        self, unit: UnitOfWork, timer: Timer, outcome: domain.TimerOutcome
    ) -> None:
        await store.save_assessment(unit.session, outcome.assessment)
        for data in outcome.events:
            await unit.emit(caused_by_timer(timer, data, source=SOURCE, time=unit.now()))

    async def _schedule(
        self, unit: UnitOfWork, assessments: Iterable[domain.Assessment], cause: Event[Any]
    ) -> None:
        for assessment in assessments:
            await store.add_assessment(unit.session, assessment)
            for request in domain.assessment_timers(assessment):
                await unit.schedule(
                    key=request.key,
                    kind=request.kind,
                    patient_id=cause.subject,
                    correlation_id=cause.correlationid,
                    due_at=request.due_at,
                    payload=request.payload,
                    caused_by_event_id=cause.id,
                )

    async def _emit(self, unit: UnitOfWork, cause: Event[Any], data: Iterable[EventData]) -> None:
        for item in data:
            await unit.emit(caused_by(cause, item, source=SOURCE, time=unit.now()))

    async def _decide(
        self, unit: UnitOfWork, cause: Event[Any], decisions: Iterable[domain.Decision]
    ) -> None:
        """Emit each decision once: one already taken under the same key is not repeated."""
        for decision in decisions:
            if await store.record_decision(unit.session, cause.subject, decision, at=unit.now()):
                await self._emit(unit, cause, [decision.data])


def handlers(protocol: TreatmentProtocol, settings: FollowupSettings) -> dict[str, Handler]:
    """The event handlers, by CloudEvent type; types not listed here are skipped."""
    on = FollowupHandlers(protocol, settings)
    by_type = {
        PatientScreened: on.on_patient_screened,
        PatientWithdrawn: on.on_patient_withdrawn,
        SessionCompleted: on.on_session_completed,
        CourseCompleted: on.on_course_completed,
        CourseSuspended: on.on_course_suspended,
        SafetyAlert: on.on_safety_alert,
        AssessmentSubmitted: on.on_assessment_submitted,
        TherapySessionAttended: on.on_therapy_attended,
        TherapySessionMissed: on.on_therapy_missed,
    }
    return {model.event_type: refusing_broken_rules(handle) for model, handle in by_type.items()}


def timer_handlers(
    protocol: TreatmentProtocol, settings: FollowupSettings
) -> dict[str, TimerHandler]:
    on = FollowupHandlers(protocol, settings)
    return {
        domain.TimerKind.ASSESSMENT_DUE: refusing_broken_rules(on.on_assessment_due),
        domain.TimerKind.ASSESSMENT_OVERDUE: refusing_broken_rules(on.on_assessment_overdue),
    }

"""One handler per event and timer follow-up consumes: load, decide (domain), store, emit."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from carepath_contracts import (
    AssessmentSubmitted,
    CourseCompleted,
    CourseSuspended,
    Event,
    PatientScreened,
    PatientWithdrawn,
    ProtocolCatalogue,
    ReviewOutcomeSubmitted,
    SafetyAction,
    SafetyAlert,
    SessionCompleted,
    SessionKind,
    SessionScheduled,
    TherapySessionAttended,
    TherapySessionMissed,
    TreatmentProtocol,
)
from carepath_followup import domain, store
from carepath_followup.domain import PathwayRuleError
from carepath_followup.reviewing import (
    on_review_outcome_submitted,
    on_review_respond_by,
    on_review_trigger,
    open_reviews,
    stop_asking,
)
from carepath_followup.settings import FollowupSettings
from carepath_runtime.handling import Handlers
from carepath_runtime.timers import Timer
from carepath_runtime.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Rules:
    """What follow-up's handlers decide by: every protocol version (each pathway is decided
    under the version it started under) and the operator's choices."""

    protocols: ProtocolCatalogue
    therapy_booking_offset_hours: float
    review_on_safety_actions: frozenset[SafetyAction]

    def protocol_of(self, pathway: domain.Pathway) -> TreatmentProtocol:
        return self.protocols.of(pathway.protocol)

    def triggers(self, protocol: TreatmentProtocol) -> domain.TriggerPolicy:
        return domain.TriggerPolicy(
            self.review_on_safety_actions, frozenset(protocol.infusion_safety.review_rules)
        )


def rules_for(protocols: ProtocolCatalogue, settings: FollowupSettings) -> Rules:
    return Rules(
        protocols=protocols,
        therapy_booking_offset_hours=settings.therapy_booking_offset_hours,
        review_on_safety_actions=frozenset(settings.review_on_safety_actions),
    )


async def on_patient_screened(
    unit: UnitOfWork, event: Event[PatientScreened], rules: Rules
) -> None:
    existing = await store.pathway(unit.session, event.subject, for_update=True)
    started = domain.pathway_started(
        existing,
        event.data,
        patient_id=event.subject,
        pathway_id=event.correlationid,
        protocol=rules.protocols.of(event.data.protocol),
    )
    if started is None:
        return
    await store.add_pathway(unit.session, started.pathway)
    await _add_assessments(unit, started.assessments, event)


async def on_patient_withdrawn(
    unit: UnitOfWork, event: Event[PatientWithdrawn], rules: Rules
) -> None:
    pathway = await store.pathway(unit.session, event.subject, for_update=True)
    if pathway is None:
        return  # never eligible here: follow-up has nothing to stop
    withdrawn = domain.pathway_withdrawn(pathway, event.data.withdrawn_at)
    await store.save_pathway(unit.session, withdrawn)
    await stop_asking(unit, event.subject)


async def on_session_completed(
    unit: UnitOfWork, event: Event[SessionCompleted], rules: Rules
) -> None:
    pathway = await _pathway(unit, event)
    therapy_id = domain.therapy_session_id_for(event.data.session_id)
    outcome = domain.infusion_completed(
        pathway,
        event.data,
        rules.protocol_of(pathway),
        therapy_already_booked=await store.therapy_session(unit.session, therapy_id) is not None,
        booking_offset_hours=rules.therapy_booking_offset_hours,
        now=unit.now(),
        scores=await store.patient_scores(unit.session, pathway.patient_id),
    )
    await _apply_infusion(unit, event, outcome)
    await on_review_trigger(unit, event, rules)


async def on_session_scheduled(
    unit: UnitOfWork, event: Event[SessionScheduled], rules: Rules
) -> None:
    """A maintenance infusion was booked: the PCL-5 before it (induction is not ours to ask)."""
    if event.data.kind is not SessionKind.MAINTENANCE:
        return
    pathway = await _pathway(unit, event)
    assessment = domain.assessment_before_maintenance(
        pathway, event.data, rules.protocol_of(pathway), unit.now()
    )
    if assessment and await store.assessment(unit.session, assessment.assessment_id) is None:
        await _add_assessments(unit, [assessment], event)


async def on_course_completed(
    unit: UnitOfWork, event: Event[CourseCompleted], rules: Rules
) -> None:
    pathway = await _pathway(unit, event)
    outcome = domain.course_completed(pathway, event.data, rules.protocol_of(pathway))
    await _apply_infusion(unit, event, outcome)


async def on_course_suspended(
    unit: UnitOfWork, event: Event[CourseSuspended], rules: Rules
) -> None:
    pathway = await _pathway(unit, event)
    await store.save_pathway(unit.session, domain.course_suspended(pathway, event.data))
    await on_review_trigger(unit, event, rules)


async def on_safety_alert(unit: UnitOfWork, event: Event[SafetyAlert], rules: Rules) -> None:
    await _pathway(unit, event)
    await on_review_trigger(unit, event, rules)


async def on_assessment_submitted(
    unit: UnitOfWork, event: Event[AssessmentSubmitted], rules: Rules
) -> None:
    pathway = await _pathway(unit, event)
    protocol = rules.protocol_of(pathway)
    named = event.data.assessment_id
    history = await store.patient_scores(unit.session, pathway.patient_id)
    scoring = domain.score_submission(
        pathway,
        event.data,
        event_id=event.id,
        assessment=await store.assessment(unit.session, named) if named else None,
        history=history,
        protocol=protocol,
    )
    await store.add_score(unit.session, scoring.scored, at=unit.now())
    if scoring.assessment is not None:
        await store.save_assessment(unit.session, scoring.assessment)
    for key in scoring.cancel_timer_keys:
        await unit.cancel_timer(key)
    await unit.emit_caused_by(event, [scoring.event])
    decided = domain.decide_after_score(pathway, scoring.scored, history, protocol, unit.now())
    await store.save_pathway(unit.session, decided.pathway)
    if decided.completed:
        await stop_asking(unit, pathway.patient_id)
    await _decide(unit, event, decided.decisions)
    await open_reviews(unit, event, decided.reviews, protocol)


async def on_therapy_attended(
    unit: UnitOfWork, event: Event[TherapySessionAttended], rules: Rules
) -> None:
    data = event.data
    await _attendance(
        unit, event, data.therapy_session_id, domain.TherapyStatus.ATTENDED, data.attended_at
    )


async def on_therapy_missed(
    unit: UnitOfWork, event: Event[TherapySessionMissed], rules: Rules
) -> None:
    data = event.data
    await _attendance(
        unit, event, data.therapy_session_id, domain.TherapyStatus.MISSED, data.missed_at
    )


async def on_assessment_due(unit: UnitOfWork, timer: Timer, rules: Rules) -> None:
    pathway, assessment = await _timer_subjects(unit, timer)
    outcome = domain.assessment_fell_due(pathway, assessment, rules.protocol_of(pathway))
    await _apply_timer(unit, timer, outcome)


async def on_assessment_overdue(unit: UnitOfWork, timer: Timer, rules: Rules) -> None:
    pathway, assessment = await _timer_subjects(unit, timer)
    outcome = domain.assessment_went_overdue(pathway, assessment, rules.protocol_of(pathway))
    await _apply_timer(unit, timer, outcome)


HANDLERS = Handlers[Rules](
    events={
        # Every fact of the trigger table opens reviews; the handlers below that also do
        # other work call on_review_trigger themselves.
        **{model: on_review_trigger for model in domain.TRIGGERS},
        PatientScreened: on_patient_screened,
        PatientWithdrawn: on_patient_withdrawn,
        SessionCompleted: on_session_completed,
        SessionScheduled: on_session_scheduled,
        ReviewOutcomeSubmitted: on_review_outcome_submitted,
        CourseCompleted: on_course_completed,
        CourseSuspended: on_course_suspended,
        SafetyAlert: on_safety_alert,
        AssessmentSubmitted: on_assessment_submitted,
        TherapySessionAttended: on_therapy_attended,
        TherapySessionMissed: on_therapy_missed,
    },
    timers={
        domain.TimerKind.ASSESSMENT_DUE: on_assessment_due,
        domain.TimerKind.ASSESSMENT_OVERDUE: on_assessment_overdue,
        domain.TimerKind.REVIEW_RESPOND_BY: on_review_respond_by,
    },
    refusals=(PathwayRuleError,),
)


async def _pathway(unit: UnitOfWork, event: Event[Any]) -> domain.Pathway:
    pathway = await store.pathway(unit.session, event.subject, for_update=True)
    if pathway is None:
        raise PathwayRuleError(
            f"patient {event.subject}: follow-up has no pathway (no final, eligible "
            f"patient-screened seen); {event.type} refused"
        )
    return pathway


async def _attendance(
    unit: UnitOfWork,
    event: Event[Any],
    therapy_id: str,
    status: domain.TherapyStatus,
    at: datetime,
) -> None:
    therapy = await store.therapy_session(unit.session, therapy_id)
    if therapy is None:
        raise PathwayRuleError(f"therapy session {therapy_id} was never scheduled here")
    recorded = domain.attendance_recorded(therapy, event.subject, status, at)
    if recorded is not None:
        await store.save_therapy_session(unit.session, recorded)


async def _apply_infusion(
    unit: UnitOfWork, event: Event[Any], outcome: domain.InfusionOutcome
) -> None:
    await store.save_pathway(unit.session, outcome.pathway)
    await _add_assessments(unit, outcome.assessments, event)
    if outcome.therapy is not None:
        await store.add_therapy_session(unit.session, outcome.therapy)
    if outcome.completed:
        await stop_asking(unit, outcome.pathway.patient_id)
    await unit.emit_caused_by(event, outcome.events)
    await _decide(unit, event, outcome.decisions)


async def _timer_subjects(
    unit: UnitOfWork, timer: Timer
) -> tuple[domain.Pathway, domain.Assessment]:
    pathway = await store.pathway(unit.session, timer.patient_id, for_update=True)
    assessment = await store.assessment(unit.session, timer.payload["assessment_id"])
    if pathway is None or assessment is None:
        raise PathwayRuleError(f"timer {timer.timer_key}: its pathway or assessment is gone")
    return pathway, assessment


async def _apply_timer(unit: UnitOfWork, timer: Timer, outcome: domain.TimerOutcome) -> None:
    await store.save_assessment(unit.session, outcome.assessment)
    await unit.emit_caused_by(timer, outcome.events)


async def _add_assessments(
    unit: UnitOfWork, assessments: Iterable[domain.Assessment], cause: Event[Any]
) -> None:
    for assessment in assessments:
        await store.add_assessment(unit.session, assessment)
        await unit.schedule_timers(domain.assessment_timers(assessment), cause)


async def _decide(
    unit: UnitOfWork, cause: Event[Any], decisions: Iterable[domain.ClinicalDecision]
) -> None:
    """Emit each decision once: one already taken under the same key is not repeated."""
    for decision in decisions:
        if await store.record_decision(unit.session, cause.subject, decision, at=unit.now()):
            await unit.emit_caused_by(cause, [decision.data])

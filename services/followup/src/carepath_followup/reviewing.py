"""Follow-up's review handlers: a trigger opens a review, its respond-by timer escalates it,
a clinician's outcome (inbound event or HTTP) resolves it and the pathway acts on it."""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from carepath_contracts import (
    Event,
    EventData,
    ProtocolCatalogue,
    ReviewOutcomeSubmitted,
    TreatmentProtocol,
    new_event,
)
from carepath_followup import domain, store
from carepath_followup.domain import PathwayRuleError
from carepath_followup.store import reviews as review_store
from carepath_runtime.timers import Timer
from carepath_runtime.unit_of_work import Cause, UnitOfWork

if TYPE_CHECKING:
    from carepath_followup.handlers import Rules


async def on_review_trigger(unit: UnitOfWork, event: Event[Any], rules: "Rules") -> None:
    """A fact in the trigger table: the reviews it asks for (whatever the pathway's status:
    a safety signal is reviewed even after the patient left)."""
    fact = domain.Fact(event.type, event.id, event.time)
    protocol = rules.protocols.of(event.data.protocol)  # the patient's, stamped on the fact
    requests = domain.review_requests(event.data, fact, rules.triggers(protocol))
    await open_reviews(unit, event, requests, protocol)


async def on_review_respond_by(unit: UnitOfWork, timer: Timer, rules: "Rules") -> None:
    review = await review_store.review(unit.session, timer.payload["review_id"])
    if review is None:
        raise PathwayRuleError(f"timer {timer.timer_key}: its review is gone")
    urgency = timer.payload["urgency"]
    protocol = rules.protocols.of(review.protocol)
    change = domain.review_went_overdue(review, urgency, protocol, unit.now())
    await _apply_reviews(unit, timer, change)


async def on_review_outcome_submitted(
    unit: UnitOfWork, event: Event[ReviewOutcomeSubmitted], rules: "Rules"
) -> None:
    """Another system records a clinician's outcome: the same rules as follow-up's HTTP."""
    data = event.data
    decision = domain.OutcomeDecision(
        data.outcome, data.decided_by, data.decided_at, data.maintenance_interval_days
    )
    await record_outcome(unit, event.subject, data.review_id, decision, rules.protocols, event)


async def record_outcome(
    unit: UnitOfWork,
    patient_id: str | None,
    review_id: str,
    decision: domain.OutcomeDecision,
    protocols: ProtocolCatalogue,
    cause: Event[Any] | None = None,
) -> domain.Review:
    """Resolve the review (refusals are `PathwayRuleError`); returns it as resolved."""
    review = await review_store.review(unit.session, review_id)
    if review is None or (patient_id is not None and review.patient_id != patient_id):
        raise PathwayRuleError(f"no review {review_id} for patient {patient_id or 'any'}")
    pathway = await store.pathway(unit.session, review.patient_id, for_update=True)
    scores = await store.patient_scores(unit.session, review.patient_id)
    protocol = protocols.of(review.protocol)  # the version the review was opened under
    change = domain.record_outcome(review, pathway, decision, scores, protocol, unit.now())
    if change.pathway is not None:
        await store.save_pathway(unit.session, change.pathway)
        if change.closed and pathway is not None and pathway.status != change.pathway.status:
            await stop_asking(unit, review.patient_id)
    await review_store.save_reviews(unit.session, change.reviews.reviews)
    for key in change.reviews.cancelled_timers:
        await unit.cancel_timer(key)
    emitted: list[EventData] = list(change.reviews.events)
    for decided in change.decisions:
        if await store.record_decision(unit.session, review.patient_id, decided, at=unit.now()):
            emitted.append(decided.data)
    await _emit(unit, review, cause, emitted)
    return change.reviews.reviews[0]


async def open_reviews(
    unit: UnitOfWork,
    cause: Event[Any],
    requests: Iterable[domain.ReviewRequest],
    protocol: TreatmentProtocol,
) -> None:
    """Each request opens a review, or adds its evidence to the patient's open one."""
    for request in requests:
        already_open = await review_store.open_reviews(unit.session, cause.subject)
        change = domain.open_review(
            already_open,
            request,
            patient_id=cause.subject,
            pathway_id=cause.correlationid,
            protocol=protocol,
            now=unit.now(),
        )
        await _apply_reviews(unit, cause, change)


async def stop_asking(unit: UnitOfWork, patient_id: str) -> None:
    """The pathway closed: no assessment is asked for any more (open reviews still escalate:
    a clinical question does not go away because the pathway ended)."""
    for assessment in await store.open_assessments(unit.session, patient_id):
        await unit.cancel_timer(assessment.due_timer_key)
        await unit.cancel_timer(assessment.overdue_timer_key)
    await store.cancel_open_assessments(unit.session, patient_id)


async def _apply_reviews(unit: UnitOfWork, cause: Cause, change: domain.ReviewChange) -> None:
    await review_store.save_reviews(unit.session, change.reviews)
    for key in change.cancelled_timers:
        await unit.cancel_timer(key)
    await unit.schedule_timers(change.timers, cause)
    await unit.emit_caused_by(cause, change.events)


async def _emit(
    unit: UnitOfWork, review: domain.Review, cause: Event[Any] | None, events: list[EventData]
) -> None:
    """Caused by the inbound event; from HTTP, the review's patient and pathway."""
    if cause is not None:
        await unit.emit_caused_by(cause, events)
        return
    for data in events:
        await unit.emit(_event(data, review, unit.source, unit.now()))


def _event(data: EventData, review: domain.Review, source: str, now: datetime) -> Event[Any]:
    return new_event(
        data, subject=review.patient_id, correlation_id=review.pathway_id, source=source, time=now
    )

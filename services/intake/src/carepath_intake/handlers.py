"""Intake's event handlers, and the use cases its HTTP forms share with them.

Every path loads the record, lets the domain decide, saves, and emits through the outbox;
an HTTP form and the matching inbound event run the very same use case.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from carepath_contracts import (
    ConsentWithdrawn,
    Event,
    ReferralReceived,
    ReviewDecided,
    ScreeningSubmitted,
    TreatmentProtocol,
    WithdrawalReason,
    carepath_source,
    caused_by,
    new_event,
)
from carepath_intake import domain, store
from carepath_intake.domain import Decision, Patient, Referral, Review, ScreeningRules
from carepath_intake.settings import IntakeSettings
from carepath_runtime.consumer import Handler
from carepath_runtime.errors import RuleViolationError
from carepath_runtime.timers import TimerHandler
from carepath_runtime.unit_of_work import UnitOfWork

SOURCE = carepath_source("intake")


def screening_rules(protocol: TreatmentProtocol, settings: IntakeSettings) -> ScreeningRules:
    return ScreeningRules(
        protocol=protocol,
        ideal_body_weight_reference_bmi=settings.ideal_body_weight_reference_bmi,
    )


def handlers(protocol: TreatmentProtocol, settings: IntakeSettings) -> dict[str, Handler]:
    rules = screening_rules(protocol, settings)
    return {
        ReferralReceived.event_type: on_referral_received,
        ScreeningSubmitted.event_type: partial(on_screening_submitted, rules=rules),
        ReviewDecided.event_type: on_review_decided,
        ConsentWithdrawn.event_type: on_consent_withdrawn,
    }


def timer_handlers(
    protocol: TreatmentProtocol, settings: IntakeSettings
) -> dict[str, TimerHandler]:
    """Intake waits for nothing: screening and review are driven by forms and clinicians."""
    return {}


async def on_referral_received(unit: UnitOfWork, event: Event[ReferralReceived]) -> None:
    # The portal names the patient and pathway (subject, correlationid); intake adopts them.
    referral = Referral(
        external_referral_id=event.data.external_referral_id,
        responder_role=event.data.responder_role,
        referral_source=event.data.referral_source,
        received_at=event.data.received_at,
    )
    candidate = Patient(event.subject, event.correlationid, referral, accepted_at=unit.now())
    with refusals_are_rule_violations():
        await refer(unit, candidate, sender_chose_ids=True, cause=event)


async def on_screening_submitted(
    unit: UnitOfWork, event: Event[ScreeningSubmitted], *, rules: ScreeningRules
) -> None:
    with refusals_are_rule_violations():
        await submit_screening(unit, event.subject, event.data, rules, cause=event)


async def on_review_decided(unit: UnitOfWork, event: Event[ReviewDecided]) -> None:
    data = event.data
    review = Review(data.decision, data.reason_code, data.clinician_id, data.decided_at)
    with refusals_are_rule_violations():
        await decide_review(unit, event.subject, review, cause=event)


async def on_consent_withdrawn(unit: UnitOfWork, event: Event[ConsentWithdrawn]) -> None:
    data = event.data
    with refusals_are_rule_violations():
        await withdraw(unit, event.subject, data.reason_code, data.withdrawn_at, cause=event)


@contextmanager
def refusals_are_rule_violations() -> Iterator[None]:
    """A refused event can never be handled: it is dead-lettered with the refusal's reason."""
    try:
        yield
    except domain.IntakeRefusal as refusal:
        raise RuleViolationError(str(refusal)) from refusal


async def refer(
    unit: UnitOfWork,
    candidate: Patient,
    *,
    sender_chose_ids: bool,
    details: store.PersonalDetails | None = None,
    cause: Event[Any] | None = None,
) -> Decision:
    """Open the patient's pathway, or find the one already open for the external referral id."""
    external_id = candidate.referral.external_referral_id
    on_record = await store.patient_by_external_referral(unit.session, external_id)
    holder = None
    if on_record is None:
        holder = await store.patient_holding_ids(
            unit.session, candidate.patient_id, candidate.pathway_id
        )
    decision = domain.receive_referral(
        candidate, on_record=on_record, ids_in_use_by=holder, sender_chose_ids=sender_chose_ids
    )
    if not decision.repeated:
        await store.add_patient(unit.session, decision.patient)
    if details is not None:
        await _record_personal_details(unit, decision.patient, details)
    await _emit(unit, decision, cause)
    return decision


async def submit_screening(
    unit: UnitOfWork,
    patient_id: str,
    form: ScreeningSubmitted,
    rules: ScreeningRules,
    *,
    cause: Event[Any] | None = None,
) -> Decision:
    patient = await _patient(unit, patient_id, cause)
    born = await store.date_of_birth(unit.session, patient_id)
    # Age on the day of screening, by the service clock (UTC).
    age = domain.age_in_years(born, unit.now().date()) if born else None
    decision = domain.screen_patient(patient, form, age_years=age, rules=rules, at=unit.now())
    return await _save_and_emit(unit, decision, cause)


async def decide_review(
    unit: UnitOfWork, patient_id: str, review: Review, *, cause: Event[Any] | None = None
) -> Decision:
    patient = await _patient(unit, patient_id, cause)
    decision = domain.decide_review(patient, review, at=unit.now())
    return await _save_and_emit(unit, decision, cause)


async def withdraw(
    unit: UnitOfWork,
    patient_id: str,
    reason: WithdrawalReason,
    withdrawn_at: datetime,
    *,
    cause: Event[Any] | None = None,
) -> Decision:
    patient = await _patient(unit, patient_id, cause)
    decision = domain.withdraw(patient, reason, withdrawn_at=withdrawn_at)
    return await _save_and_emit(unit, decision, cause)


async def _patient(unit: UnitOfWork, patient_id: str, cause: Event[Any] | None) -> Patient:
    patient = await store.patient(unit.session, patient_id)
    if patient is None:
        raise domain.UnknownPatientError(patient_id)
    if cause is not None:
        domain.check_pathway(patient, cause.correlationid)
    return patient


async def _record_personal_details(
    unit: UnitOfWork, patient: Patient, details: store.PersonalDetails
) -> None:
    on_record = await store.personal_details_of(unit.session, patient.patient_id)
    if on_record is None:
        await store.add_personal_details(unit.session, patient.patient_id, details, at=unit.now())
    elif on_record != details:
        # The message names no detail: it may be logged or shown to another system.
        raise domain.ConflictingRecordError(
            f"referral {patient.referral.external_referral_id} (patient {patient.patient_id}) "
            "already has different personal details on record; correct them through the "
            "clinic instead of sending the referral again"
        )


async def _save_and_emit(
    unit: UnitOfWork, decision: Decision, cause: Event[Any] | None
) -> Decision:
    if not decision.repeated:
        await store.save_patient(unit.session, decision.patient)
    await _emit(unit, decision, cause)
    return decision


async def _emit(unit: UnitOfWork, decision: Decision, cause: Event[Any] | None) -> None:
    patient = decision.patient
    for data in decision.events:
        if cause is None:
            event = new_event(
                data,
                subject=patient.patient_id,
                correlation_id=patient.pathway_id,
                source=SOURCE,
                time=unit.now(),
            )
        else:
            event = caused_by(cause, data, source=SOURCE, time=unit.now())
        await unit.emit(event)

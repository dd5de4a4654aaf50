"""Intake's event handlers, and the use cases its HTTP forms share with them.

Every path loads the record, lets the domain decide, saves, and emits through the outbox;
an HTTP form and the matching inbound event run the very same use case.
"""

from datetime import datetime
from typing import Any

from carepath_contracts import (
    ConsentWithdrawn,
    Event,
    ReferralReceived,
    ReviewDecided,
    ScreeningSubmitted,
    TreatmentProtocol,
    WithdrawalReason,
    new_event,
)
from carepath_intake import domain, store
from carepath_intake.domain import Patient, Referral, Review, ScreeningRules, Transition
from carepath_intake.settings import IntakeSettings
from carepath_runtime.handling import Handlers
from carepath_runtime.unit_of_work import UnitOfWork

Rules = ScreeningRules
"""What intake's handlers decide by: the protocol and the settings that refine screening."""


class UnsupportedProtocolError(ValueError):
    """The configured protocol asks for something intake cannot screen by."""


def rules_for(protocol: TreatmentProtocol, settings: IntakeSettings) -> Rules:
    problems = domain.unsupported_protocol_settings(protocol)
    if problems:
        raise UnsupportedProtocolError(
            f"protocol {protocol.id} v{protocol.version}: " + "; ".join(problems)
        )
    return Rules(protocol=protocol)


async def on_referral_received(
    unit: UnitOfWork, event: Event[ReferralReceived], rules: Rules
) -> None:
    # The portal names the patient and pathway (subject, correlationid); intake adopts them.
    referral = Referral(
        external_referral_id=event.data.external_referral_id,
        responder_role=event.data.responder_role,
        referral_source=event.data.referral_source,
        received_at=event.data.received_at,
    )
    candidate = Patient(event.subject, event.correlationid, referral, accepted_at=unit.now())
    await refer(unit, candidate, sender_chose_ids=True, cause=event)


async def on_screening_submitted(
    unit: UnitOfWork, event: Event[ScreeningSubmitted], rules: Rules
) -> None:
    await submit_screening(unit, event.subject, event.data, rules, cause=event)


async def on_review_decided(unit: UnitOfWork, event: Event[ReviewDecided], rules: Rules) -> None:
    data = event.data
    review = Review(data.decision, data.reason_code, data.clinician_id, data.decided_at)
    await decide_review(unit, event.subject, review, cause=event)


async def on_consent_withdrawn(
    unit: UnitOfWork, event: Event[ConsentWithdrawn], rules: Rules
) -> None:
    data = event.data
    await withdraw(unit, event.subject, data.reason_code, data.withdrawn_at, cause=event)


HANDLERS = Handlers[Rules](
    events={
        ReferralReceived: on_referral_received,
        ScreeningSubmitted: on_screening_submitted,
        ReviewDecided: on_review_decided,
        ConsentWithdrawn: on_consent_withdrawn,
    },
    # No timers: screening and review are driven by forms and clinicians.
    refusals=(domain.IntakeRefusal,),
)


async def refer(
    unit: UnitOfWork,
    candidate: Patient,
    *,
    sender_chose_ids: bool,
    details: store.PersonalDetails | None = None,
    cause: Event[Any] | None = None,
) -> Transition:
    """Open the patient's pathway, or find the one already open for the external referral id."""
    external_id = candidate.referral.external_referral_id
    on_record = await store.patient_by_external_referral(unit.session, external_id)
    holder = None
    if on_record is None:
        holder = await store.patient_holding_ids(
            unit.session, candidate.patient_id, candidate.pathway_id
        )
    transition = domain.receive_referral(
        candidate, on_record=on_record, ids_in_use_by=holder, sender_chose_ids=sender_chose_ids
    )
    if not transition.repeated:
        await store.add_patient(unit.session, transition.patient)
    if details is not None:
        await _record_personal_details(unit, transition.patient, details)
    await _emit(unit, transition, cause)
    return transition


async def submit_screening(
    unit: UnitOfWork,
    patient_id: str,
    form: ScreeningSubmitted,
    rules: Rules,
    *,
    cause: Event[Any] | None = None,
) -> Transition:
    patient = await _patient(unit, patient_id, cause)
    born = await store.date_of_birth(unit.session, patient_id)
    # Age on the day of screening, by the service clock (UTC).
    age = domain.age_in_years(born, unit.now().date()) if born else None
    transition = domain.screen_patient(patient, form, age_years=age, rules=rules, at=unit.now())
    return await _save_and_emit(unit, transition, cause)


async def decide_review(
    unit: UnitOfWork, patient_id: str, review: Review, *, cause: Event[Any] | None = None
) -> Transition:
    patient = await _patient(unit, patient_id, cause)
    transition = domain.decide_review(patient, review, at=unit.now())
    return await _save_and_emit(unit, transition, cause)


async def withdraw(
    unit: UnitOfWork,
    patient_id: str,
    reason: WithdrawalReason,
    withdrawn_at: datetime,
    *,
    cause: Event[Any] | None = None,
) -> Transition:
    patient = await _patient(unit, patient_id, cause)
    transition = domain.withdraw(patient, reason, withdrawn_at=withdrawn_at)
    return await _save_and_emit(unit, transition, cause)


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
    unit: UnitOfWork, transition: Transition, cause: Event[Any] | None
) -> Transition:
    if not transition.repeated:
        await store.save_patient(unit.session, transition.patient)
    await _emit(unit, transition, cause)
    return transition


async def _emit(unit: UnitOfWork, transition: Transition, cause: Event[Any] | None) -> None:
    if cause is not None:
        await unit.emit_caused_by(cause, transition.events)
        return
    # A form over HTTP starts a chain of its own: the patient's ids, no causing event.
    patient = transition.patient
    for data in transition.events:
        event = new_event(
            data,
            subject=patient.patient_id,
            correlation_id=patient.pathway_id,
            source=unit.source,
            time=unit.now(),
        )
        await unit.emit(event)

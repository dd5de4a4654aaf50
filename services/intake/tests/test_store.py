"""Intake's tables keep a patient's record and personal details intact, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from carepath_contracts import HistoryFlag, ReviewDecision, ReviewReason, WithdrawalReason
from carepath_intake import store
from carepath_intake.domain import (
    Review,
    decide_review,
    receive_referral,
    screen_patient,
    withdraw,
)
from carepath_runtime.database import transaction

from .builders import NOW, RULES, eligible_form, referred_patient

DETAILS = store.PersonalDetails(
    given_name="Dana",
    family_name="Okafor-Lindqvist",
    date_of_birth=date(1984, 7, 19),
    phone="+1 555 010 4477",
    email="dana.okafor@example.org",
    agency="Riverside Fire & Rescue",
)


async def add(sessions, patient):
    async with transaction(sessions) as session:
        await store.add_patient(session, patient)


async def save(sessions, patient):
    async with transaction(sessions) as session:
        await store.save_patient(session, patient)


async def load(sessions, patient_id):
    async with transaction(sessions) as session:
        return await store.patient(session, patient_id)


async def test_a_referred_patient_reads_back_as_stored(sessions):
    patient = referred_patient()
    await add(sessions, patient)

    assert await load(sessions, patient.patient_id) == patient
    assert await load(sessions, "p-nobody") is None


async def test_a_screened_reviewed_and_withdrawn_patient_reads_back_as_stored(sessions):
    patient = referred_patient()
    await add(sessions, patient)
    form = eligible_form(
        history=[HistoryFlag.HYPERTENSION_CONTROLLED], current_medications=["ssri"]
    )
    awaiting = screen_patient(patient, form, age_years=41, rules=RULES, at=NOW).patient
    await save(sessions, awaiting)
    assert await load(sessions, patient.patient_id) == awaiting

    review = Review(ReviewDecision.DECLINED, ReviewReason.RISK_OUTWEIGHS_BENEFIT, "clin-9", NOW)
    reviewed = decide_review(awaiting, review, at=NOW + timedelta(hours=1)).patient
    await save(sessions, reviewed)
    withdrawn = withdraw(
        reviewed, WithdrawalReason.MOVED_AWAY, withdrawn_at=NOW + timedelta(days=1)
    ).patient
    await save(sessions, withdrawn)

    loaded = await load(sessions, patient.patient_id)
    assert loaded == withdrawn
    assert loaded.screening.screened_at.tzinfo is not None


async def test_patients_are_found_by_external_referral_id_and_by_either_id(sessions):
    patient = referred_patient()
    await add(sessions, patient)

    async with transaction(sessions) as session:
        by_external = await store.patient_by_external_referral(
            session, patient.referral.external_referral_id
        )
        by_pathway = await store.patient_holding_ids(session, "p-unused", patient.pathway_id)
        by_patient = await store.patient_holding_ids(session, patient.patient_id, "pw-unused")
        nobody = await store.patient_holding_ids(session, "p-unused", "pw-unused")

    assert by_external == by_pathway == by_patient == patient
    assert nobody is None


async def test_personal_details_are_kept_only_in_their_own_table(sessions):
    patient = referred_patient()
    await add(sessions, patient)
    async with transaction(sessions) as session:
        await store.add_personal_details(session, patient.patient_id, DETAILS, at=NOW)

    async with transaction(sessions) as session:
        assert await store.personal_details_of(session, patient.patient_id) == DETAILS
        assert await store.date_of_birth(session, patient.patient_id) == DETAILS.date_of_birth
        assert await store.personal_details_of(session, "p-nobody") is None
    assert set(store.personal_details.c.keys()) - {"patient_id", "recorded_at"} == set(
        DETAILS.__slots__
    )


async def test_a_second_patient_with_the_same_external_referral_id_is_rejected(sessions):
    first = referred_patient()
    await add(sessions, first)
    twin = referred_patient(referral=first.referral)

    with pytest.raises(IntegrityError):
        await add(sessions, twin)


async def test_a_referral_decision_stored_once_finds_the_patient_again(sessions):
    candidate = referred_patient()
    decision = receive_referral(candidate, on_record=None, sender_chose_ids=False)
    await add(sessions, decision.patient)

    async with transaction(sessions) as session:
        on_record = await store.patient_by_external_referral(
            session, candidate.referral.external_referral_id
        )
    again = receive_referral(
        referred_patient(referral=candidate.referral), on_record=on_record, sender_chose_ids=False
    )
    assert again.repeated and again.patient.patient_id == candidate.patient_id

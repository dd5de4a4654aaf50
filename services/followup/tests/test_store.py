"""Follow-up's store on SQLite and PostgreSQL: every value comes back as it went in."""

from dataclasses import replace

from carepath_contracts import (
    ClinicalReviewRequired,
    Instrument,
    MaintenanceReason,
    ReviewTrigger,
    Urgency,
)
from carepath_followup import domain, store
from carepath_runtime.database import transaction

from .builders import DAY, PROTOCOL, T0, infusion_data, pathway, submission_data


def scored(path, total, *, instrument=Instrument.PCL5, event_id):
    items = [2] * 22 if instrument is Instrument.IESR else None
    outcome = domain.score_submission(
        path,
        submission_data(total, T0 + DAY, items=items, instrument=instrument),
        event_id=event_id,
        assessment=None,
        history=[],
        protocol=PROTOCOL,
    )
    return outcome.scored


async def test_a_pathway_comes_back_with_every_field_and_utc_times(sessions):
    original = pathway(
        47,
        first_infusion_at=T0,
        last_infusion_at=T0 + 12 * DAY,
        course_id="course-1",
        maintenance_interval_days=28,
        maintenance_reason=MaintenanceReason.PLATEAU,
    )
    async with transaction(sessions) as session:
        await store.add_pathway(session, original)

    async with sessions() as session:
        loaded = await store.pathway(session, original.patient_id)

    assert loaded == original
    assert loaded.last_infusion_at.utcoffset().total_seconds() == 0


async def test_a_saved_pathway_replaces_the_stored_one_under_a_row_lock(sessions):
    original = pathway(47)
    async with transaction(sessions) as session:
        await store.add_pathway(session, original)

    async with transaction(sessions) as session:
        locked = await store.pathway(session, original.patient_id, for_update=True)
        await store.save_pathway(session, domain.pathway_withdrawn(locked, T0))

    async with sessions() as session:
        loaded = await store.pathway(session, original.patient_id)
    assert (loaded.status, loaded.closed_at) == (domain.PathwayStatus.WITHDRAWN, T0)


async def test_assessments_round_trip_and_withdrawal_cancels_only_open_ones(sessions):
    path = pathway(47)
    outcome = domain.infusion_completed(
        path,
        infusion_data(1, T0, last=True),
        PROTOCOL,
        therapy_already_booked=False,
        booking_offset_hours=0,
        now=T0,
    )
    first, *rest = outcome.assessments
    submitted = replace(
        first,
        status=domain.AssessmentStatus.SUBMITTED,
        submitted_instruments=(Instrument.PCL5,),
        submitted_at=T0 + 2 * DAY,
    )
    async with transaction(sessions) as session:
        for assessment in outcome.assessments:
            await store.add_assessment(session, assessment)
        await store.save_assessment(session, submitted)
        cancelled = await store.cancel_open_assessments(session, path.patient_id)

    async with sessions() as session:
        loaded = await store.patient_assessments(session, path.patient_id)
        single = await store.assessment(session, first.assessment_id)

    assert cancelled == len(rest)
    assert single == submitted
    assert [a.status for a in loaded] == [domain.AssessmentStatus.SUBMITTED] + [
        domain.AssessmentStatus.CANCELLED
    ] * len(rest)
    assert [a.due_at for a in loaded] == sorted(a.due_at for a in outcome.assessments)


async def test_scores_come_back_in_the_order_they_were_scored_with_their_instrument(sessions):
    path = pathway(47)
    history = [
        scored(path, 40, event_id="6f0c2f0e-0000-4000-8000-000000000002"),
        scored(
            path, 0, instrument=Instrument.IESR, event_id="6f0c2f0e-0000-4000-8000-000000000001"
        ),
        scored(path, 36, event_id="6f0c2f0e-0000-4000-8000-000000000003"),
    ]
    async with transaction(sessions) as session:
        for item in history:
            await store.add_score(session, item, at=T0 + 2 * DAY)

    async with sessions() as session:
        loaded = await store.patient_scores(session, path.patient_id)

    assert loaded == history


async def test_therapy_sessions_round_trip_with_their_attendance(sessions):
    path = pathway(47)
    therapy = domain.infusion_completed(
        path,
        infusion_data(2, T0),
        PROTOCOL,
        therapy_already_booked=False,
        booking_offset_hours=0,
        now=T0,
    ).therapy
    attended = domain.attendance_recorded(
        therapy, path.patient_id, domain.TherapyStatus.ATTENDED, T0 + DAY
    )
    async with transaction(sessions) as session:
        await store.add_therapy_session(session, therapy)
        await store.save_therapy_session(session, attended)

    async with sessions() as session:
        assert await store.therapy_session(session, therapy.therapy_session_id) == attended
        assert await store.patient_therapy_sessions(session, path.patient_id) == [attended]


async def test_a_decision_is_recorded_once_per_patient_and_key(sessions):
    review = ClinicalReviewRequired(
        reason_code=ReviewTrigger.SAFETY_EVENT,
        urgency=Urgency.URGENT,
        session_id="s-3",
        required_at=T0,
        protocol=PROTOCOL.ref,
    )
    decision = domain.ClinicalDecision(key="safety:s-3", data=review)
    async with transaction(sessions) as session:
        first = await store.record_decision(session, "p-one", decision, at=T0)
        again = await store.record_decision(session, "p-one", decision, at=T0 + DAY)
        other_patient = await store.record_decision(session, "p-two", decision, at=T0)

    async with sessions() as session:
        recorded = await store.patient_decisions(session, "p-one")

    assert (first, again, other_patient) == (True, False, True)
    assert [item["event_type"] for item in recorded] == [ClinicalReviewRequired.event_type]
    assert recorded[0]["data"]["reason_code"] == "safety_event"
    assert recorded[0]["decided_at"] == T0

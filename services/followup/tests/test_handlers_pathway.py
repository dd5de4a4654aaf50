"""The pathway as follow-up's handlers apply it, offline (no broker): reviews from safety facts,
completion at week 12, withdrawal, therapy booking and attendance. The view and a worsening
patient's review on the real broker are in test_service_pathway.py."""

import json
from datetime import timedelta

from carepath_contracts import (
    AssessmentDue,
    PathwayCompleted,
    PathwayOutcome,
    ReviewOpened,
    ReviewTrigger,
    SafetyAction,
    SuspensionReason,
    TherapySessionScheduled,
    Timepoint,
    Urgency,
)
from carepath_testing.offline import consume, dead_lettered, emitted, fire_due, reason

from .builders import (
    DAY,
    HOUR,
    PROTOCOL,
    T0,
    alert_data,
    attended_data,
    event,
    infusion_data,
    missed_data,
    new_patient,
    screened_data,
    submission_data,
    suspended_data,
    withdrawn_data,
)
from .bus import of_type, patient_view

WEEK_12 = timedelta(
    hours=next(
        entry.offset_hours
        for entry in PROTOCOL.assessments.schedule
        if entry.timepoint is Timepoint.WEEK_12
    )
)


async def screened_patient(app, baseline_total=52):
    patient, pathway = new_patient()
    await consume(app, event(screened_data(baseline_total), patient, pathway))
    return patient, pathway


async def test_a_serious_alert_a_serious_adverse_event_and_a_suspension_each_open_one_review(
    followup,
):
    app, _, _ = followup
    patient, pathway = await screened_patient(app)
    stop = alert_data(SafetyAction.STOP, "s-3")
    harmful = infusion_data(3, T0, session_id="s-3", serious_adverse_event=True)
    suspended = suspended_data(SuspensionReason.SERIOUS_ADVERSE_EVENT, T0 + HOUR)

    await consume(
        app,
        event(alert_data(SafetyAction.PAUSE, "s-3"), patient, pathway),
        event(stop, patient, pathway),
        event(harmful, patient, pathway),
        event(suspended, patient, pathway),
    )

    reviews = [
        (e.data.reason_code, e.data.urgency, e.data.session_id)
        for e in of_type(await emitted(app, patient), ReviewOpened)
    ]
    assert reviews == [
        (ReviewTrigger.SAFETY_EVENT, Urgency.URGENT, "s-3"),
        (ReviewTrigger.SERIOUS_ADVERSE_EVENT, Urgency.URGENT, "s-3"),
        (ReviewTrigger.COURSE_SUSPENDED, Urgency.SOON, "s-3"),
    ]


async def test_the_week_12_assessment_without_maintenance_completes_the_pathway(followup):
    app, client, clock = followup
    patient, pathway = await screened_patient(app, 52)
    course_end = T0 + 12 * DAY
    await consume(
        app,
        event(infusion_data(1, T0), patient, pathway),
        event(infusion_data(6, course_end, last=True), patient, pathway),
    )
    clock.set(course_end + WEEK_12)
    await fire_due(app)
    week_12 = next(
        a
        for a in (await patient_view(client, patient))["assessments"]
        if a["timepoint"] == "week_12"
    )
    answer = submission_data(25, clock.now(), assessment_id=week_12["assessment_id"])

    await consume(app, event(answer, patient, pathway))

    events = await emitted(app, patient)
    (completed,) = of_type(events, PathwayCompleted)
    assert completed.data.outcome is PathwayOutcome.REMISSION
    assert (completed.data.baseline_total, completed.data.change_from_baseline) == (52, -27)
    follow_up_timepoints = len(PROTOCOL.assessments.schedule) - 1  # all but the baseline
    assert len(of_type(events, AssessmentDue)) == follow_up_timepoints
    view = await patient_view(client, patient)
    assert view["status"] == "completed"
    assert view["upcoming"] == []


async def test_withdrawal_cancels_every_timer_and_refuses_later_submissions(followup):
    app, client, clock = followup
    patient, pathway = await screened_patient(app)
    await consume(
        app,
        event(infusion_data(1, T0), patient, pathway),
        event(infusion_data(6, T0 + 12 * DAY, last=True), patient, pathway),
    )
    assert len((await patient_view(client, patient))["upcoming"]) == 2 * 6 + 2

    await consume(app, event(withdrawn_data(T0 + HOUR), patient, pathway))

    view = await patient_view(client, patient)
    assert view["status"] == "withdrawn"
    assert view["upcoming"] == []
    assert {a["status"] for a in view["assessments"]} == {"cancelled"}
    clock.set(T0 + 200 * DAY)
    assert await fire_due(app) == 0
    late = event(submission_data(30, T0 + 2 * DAY), patient, pathway)
    await consume(app, late)
    (dead,) = dead_lettered(app)
    assert json.loads(dead.value)["id"] == late.id
    assert "pathway is withdrawn" in reason(dead)[1]
    published = await emitted(app, patient)
    assert len(published) == 2  # the two therapy bookings, and no assessment ever asked for


async def test_every_infusion_books_therapy_once_and_attendance_is_tracked(followup):
    app, client, _ = followup
    patient, pathway = await screened_patient(app)
    second = infusion_data(2, T0)
    reported_again = event(second, patient, pathway)  # same session, new event id
    third = infusion_data(3, T0 + 2 * DAY)
    await consume(
        app, event(second, patient, pathway), reported_again, event(third, patient, pathway)
    )
    booked = of_type(await emitted(app, patient), TherapySessionScheduled)[0].data

    await consume(
        app,
        event(attended_data(booked.therapy_session_id, booked.scheduled_for), patient, pathway),
        event(missed_data("thr-never-booked", T0 + 3 * DAY), patient, pathway),
    )

    (dead,) = dead_lettered(app)
    assert "thr-never-booked was never scheduled" in reason(dead)[1]
    assert [
        e.data.after_infusion_session_id
        for e in of_type(await emitted(app, patient), TherapySessionScheduled)
    ] == [second.session_id, third.session_id]
    window = PROTOCOL.therapy
    assert booked.earliest_at == T0 + timedelta(hours=window.earliest_hours_after_infusion)
    assert booked.latest_at == T0 + timedelta(hours=window.latest_hours_after_infusion)
    assert booked.scheduled_for == booked.earliest_at
    assert booked.modality is window.default_modality
    sessions = {
        s["therapy_session_id"]: s
        for s in (await patient_view(client, patient))["therapy_sessions"]
    }
    assert len(sessions) == 2
    assert sessions[booked.therapy_session_id]["status"] == "attended"

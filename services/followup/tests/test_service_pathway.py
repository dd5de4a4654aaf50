"""The pathway on the real broker: decisions, completion, withdrawal, therapy, the HTTP view."""

import json
from datetime import timedelta

import httpx
import pytest

from carepath_contracts import (
    AssessmentDue,
    AssessmentScored,
    ClinicalReviewRequired,
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
from carepath_runtime import deadletters
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import header, read_to_end

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
from .bus import dead_letters, followup_events, of_type, patient_view, publish, until_known

pytestmark = pytest.mark.kafka

WEEK_12 = timedelta(
    hours=next(
        entry.offset_hours
        for entry in PROTOCOL.assessments.schedule
        if entry.timepoint is Timepoint.WEEK_12
    )
)


async def screened_patient(client, bootstrap, prefix, baseline_total=52):
    patient, pathway = new_patient()
    await publish(bootstrap, prefix, event(screened_data(baseline_total), patient, pathway))
    await until_known(client, patient)
    return patient, pathway


async def infusions_given(bootstrap, prefix, patient, pathway, *infusions):
    """Publish session-completed facts and wait until follow-up booked therapy after each."""
    await publish(bootstrap, prefix, *(event(data, patient, pathway) for data in infusions))
    wanted = {data.session_id for data in infusions}
    await followup_events(
        bootstrap,
        prefix,
        lambda got: (
            wanted
            <= {e.data.after_infusion_session_id for e in of_type(got, TherapySessionScheduled)}
        ),
    )


async def test_the_patient_view_needs_a_token_and_names_an_unknown_patient(service):
    app, client = service
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")

    async with anonymous:
        unauthorised = await anonymous.get("/v1/patients/p-unknown")
    unknown = await client.get("/v1/patients/p-unknown")

    assert unauthorised.status_code == 401
    assert unknown.status_code == 404
    assert "no follow-up pathway for patient p-unknown" in unknown.json()["detail"]


async def test_worsening_reaches_the_bus_as_an_urgent_review_and_shows_in_the_trajectory(
    service, kafka_bootstrap, topic_prefix
):
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    worse = event(submission_data(40 + PROTOCOL.decisions.worsening_points, T0), patient, pathway)

    await publish(kafka_bootstrap, topic_prefix, worse)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, ReviewOpened)
    )

    (scored,) = of_type(events, AssessmentScored)
    (review,) = of_type(events, ReviewOpened)
    assert (review.data.reason_code, review.data.urgency) == (
        ReviewTrigger.WORSENING,
        Urgency.URGENT,
    )
    assert review.data.respond_by == T0 + 4 * HOUR
    assert [item.total for (fact,) in [review.data.evidence] for item in fact.scores] == [40, 50]
    assert review.data.protocol == PROTOCOL.ref
    assert review.causationid == worse.id and scored.causationid == worse.id
    assert of_type(events, ClinicalReviewRequired) == []  # superseded by review-opened
    view = await patient_view(client, patient)
    assert [(p["total"], p["change_from_baseline"]) for p in view["trajectory"]] == [(50, 10)]
    assert [(r["reason"], r["status"]) for r in view["reviews"]] == [("worsening", "open")]


async def test_a_serious_alert_a_serious_adverse_event_and_a_suspension_each_open_one_review(
    service, kafka_bootstrap, topic_prefix
):
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix)
    stop = alert_data(SafetyAction.STOP, "s-3")
    harmful = infusion_data(3, T0, session_id="s-3", serious_adverse_event=True)
    suspended = suspended_data(SuspensionReason.SERIOUS_ADVERSE_EVENT, T0 + HOUR)

    await publish(
        kafka_bootstrap,
        topic_prefix,
        event(alert_data(SafetyAction.PAUSE, "s-3"), patient, pathway),
        event(stop, patient, pathway),
        event(harmful, patient, pathway),
        event(suspended, patient, pathway),
    )
    events = await followup_events(
        kafka_bootstrap,
        topic_prefix,
        lambda got: any(
            e.data.reason_code is ReviewTrigger.COURSE_SUSPENDED for e in of_type(got, ReviewOpened)
        ),
    )

    reviews = [
        (e.data.reason_code, e.data.urgency, e.data.session_id)
        for e in of_type(events, ReviewOpened)
    ]
    assert reviews == [
        (ReviewTrigger.SAFETY_EVENT, Urgency.URGENT, "s-3"),
        (ReviewTrigger.SERIOUS_ADVERSE_EVENT, Urgency.URGENT, "s-3"),
        (ReviewTrigger.COURSE_SUSPENDED, Urgency.SOON, "s-3"),
    ]


async def test_the_week_12_assessment_without_maintenance_completes_the_pathway(
    service, clock, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 52)
    course_end = T0 + 12 * DAY
    await infusions_given(
        kafka_bootstrap,
        topic_prefix,
        patient,
        pathway,
        infusion_data(1, T0),
        infusion_data(6, course_end, last=True),
    )
    clock.set(course_end + WEEK_12)
    await app.state.runtime.scheduler.fire_due()
    week_12 = next(
        a
        for a in (await patient_view(client, patient))["assessments"]
        if a["timepoint"] == "week_12"
    )
    answer = submission_data(25, clock.now(), assessment_id=week_12["assessment_id"])

    await publish(kafka_bootstrap, topic_prefix, event(answer, patient, pathway))
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, PathwayCompleted)
    )

    (completed,) = of_type(events, PathwayCompleted)
    assert completed.data.outcome is PathwayOutcome.REMISSION
    assert (completed.data.baseline_total, completed.data.change_from_baseline) == (52, -27)
    follow_up_timepoints = len(PROTOCOL.assessments.schedule) - 1  # all but the baseline
    assert len(of_type(events, AssessmentDue)) == follow_up_timepoints
    view = await patient_view(client, patient)
    assert view["status"] == "completed"
    assert view["upcoming"] == []


async def test_withdrawal_cancels_every_timer_and_refuses_later_submissions(
    service, clock, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix)
    await infusions_given(
        kafka_bootstrap,
        topic_prefix,
        patient,
        pathway,
        infusion_data(1, T0),
        infusion_data(6, T0 + 12 * DAY, last=True),
    )
    assert len((await patient_view(client, patient))["upcoming"]) == 2 * 6 + 2

    await publish(kafka_bootstrap, topic_prefix, event(withdrawn_data(T0 + HOUR), patient, pathway))

    async def withdrawn() -> bool:
        return (await patient_view(client, patient))["status"] == "withdrawn"

    await eventually(withdrawn, what="withdrawal consumed")
    view = await patient_view(client, patient)
    assert view["upcoming"] == []
    assert {a["status"] for a in view["assessments"]} == {"cancelled"}
    clock.set(T0 + 200 * DAY)
    assert await app.state.runtime.scheduler.fire_due() == 0
    late = event(submission_data(30, T0 + 2 * DAY), patient, pathway)
    await publish(kafka_bootstrap, topic_prefix, late)
    (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)
    assert json.loads(dead.value)["id"] == late.id
    assert "pathway is withdrawn" in header(dead, deadletters.ERROR_MESSAGE)
    published = await read_to_end(kafka_bootstrap, topic_prefix + "carepath.followup.events")
    assert len(published) == 2  # the two therapy bookings, and no assessment ever asked for


async def test_every_infusion_books_therapy_once_and_attendance_is_tracked(
    service, kafka_bootstrap, topic_prefix
):
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix)
    second = infusion_data(2, T0)
    await infusions_given(kafka_bootstrap, topic_prefix, patient, pathway, second)

    reported_again = event(second, patient, pathway)  # same session, new event id
    third = infusion_data(3, T0 + 2 * DAY)

    await publish(kafka_bootstrap, topic_prefix, reported_again)
    await infusions_given(kafka_bootstrap, topic_prefix, patient, pathway, third)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: len(of_type(got, TherapySessionScheduled)) >= 2
    )
    booked = of_type(events, TherapySessionScheduled)[0].data
    await publish(
        kafka_bootstrap,
        topic_prefix,
        event(attended_data(booked.therapy_session_id, booked.scheduled_for), patient, pathway),
        event(missed_data("thr-never-booked", T0 + 3 * DAY), patient, pathway),
    )
    (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    # The repeat of session 2 came before session 3 on its partition: it booked nothing.
    assert [e.data.after_infusion_session_id for e in of_type(events, TherapySessionScheduled)] == [
        second.session_id,
        third.session_id,
    ]
    window = PROTOCOL.therapy
    assert booked.earliest_at == T0 + timedelta(hours=window.earliest_hours_after_infusion)
    assert booked.latest_at == T0 + timedelta(hours=window.latest_hours_after_infusion)
    assert booked.scheduled_for == booked.earliest_at
    assert booked.modality is window.default_modality
    assert "thr-never-booked was never scheduled" in header(dead, deadletters.ERROR_MESSAGE)
    sessions = {
        s["therapy_session_id"]: s
        for s in (await patient_view(client, patient))["therapy_sessions"]
    }
    assert len(sessions) == 2
    assert sessions[booked.therapy_session_id]["status"] == "attended"
    final = await read_to_end(kafka_bootstrap, topic_prefix + "carepath.followup.events")
    assert len(final) == 2  # the repeated report of session 2 booked nothing more

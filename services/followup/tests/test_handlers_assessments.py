"""Assessments as follow-up's handlers and timers apply them, offline (no broker): timers in
order as the clock passes them, early and duplicate submissions. An invalid form reaching the
dead-letter topic is in test_service_assessments.py, on the real broker."""

import json
from datetime import datetime, timedelta

from carepath_contracts import AssessmentDue, AssessmentOverdue, AssessmentScored, Timepoint
from carepath_testing.offline import consume, dead_lettered, emitted, move_clock_to, reason

from .builders import (
    DAY,
    HOUR,
    PROTOCOL,
    T0,
    event,
    infusion_data,
    new_patient,
    screened_data,
    submission_data,
)
from .bus import of_type, patient_view

MINUTE = timedelta(minutes=1)
OFFSETS = {
    entry.timepoint: timedelta(hours=entry.offset_hours) for entry in PROTOCOL.assessments.schedule
}
OVERDUE_AFTER = timedelta(hours=PROTOCOL.assessments.overdue_after_hours)


async def started_course(app, baseline_total=52):
    """A screened patient whose first infusion was given at T0; returns (patient, pathway)."""
    patient, pathway = new_patient()
    await consume(app, event(screened_data(baseline_total), patient, pathway))
    await consume(app, event(infusion_data(1, T0), patient, pathway))
    return patient, pathway


def pending(view) -> list[tuple[str, str, datetime]]:
    return [
        (item["kind"], item["timepoint"], datetime.fromisoformat(item["at"]))
        for item in view["upcoming"]
        if item["kind"].startswith("assessment")
    ]


def timeline(events) -> list[tuple[str, Timepoint, datetime]]:
    """Due and overdue events as (kind, timepoint, the moment they stand for), in order."""
    return [
        ("due", e.data.timepoint, e.data.due_at)
        if e.type == AssessmentDue.event_type
        else ("overdue", e.data.timepoint, e.data.overdue_at)
        for e in events
        if e.type in {AssessmentDue.event_type, AssessmentOverdue.event_type}
    ]


async def test_assessment_timers_fire_in_order_only_as_the_clock_passes_them(followup):
    app, client, clock = followup
    patient, pathway = await started_course(app)
    after_first_due = T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION]
    after_first_overdue = after_first_due + OVERDUE_AFTER

    await move_clock_to(app, clock, after_first_due - MINUTE)
    assert timeline(await emitted(app, patient)) == []
    assert pending(await patient_view(client, patient)) == [
        ("assessment-due", "after_first_infusion", after_first_due),
        ("assessment-overdue", "after_first_infusion", after_first_overdue),
    ]
    await move_clock_to(app, clock, after_first_due)
    await move_clock_to(app, clock, after_first_overdue - MINUTE)
    assert pending(await patient_view(client, patient)) == [
        ("assessment-overdue", "after_first_infusion", after_first_overdue)
    ]
    await move_clock_to(app, clock, after_first_overdue)
    last_at = clock.now()
    await consume(app, event(infusion_data(6, last_at, last=True), patient, pathway))
    await move_clock_to(app, clock, last_at + OFFSETS[Timepoint.WEEK_2])  # one jump, many timers

    events = await emitted(app, patient)
    end_of_treatment_due = last_at + OFFSETS[Timepoint.END_OF_TREATMENT]
    assert timeline(events) == [
        ("due", Timepoint.AFTER_FIRST_INFUSION, after_first_due),
        ("overdue", Timepoint.AFTER_FIRST_INFUSION, after_first_overdue),
        ("due", Timepoint.END_OF_TREATMENT, end_of_treatment_due),
        ("overdue", Timepoint.END_OF_TREATMENT, end_of_treatment_due + OVERDUE_AFTER),
        ("due", Timepoint.WEEK_2, last_at + OFFSETS[Timepoint.WEEK_2]),
    ]
    assert all(e.correlationid == pathway for e in events)


async def test_a_submission_before_its_due_time_is_scored_as_unscheduled(followup):
    app, client, clock = followup
    patient, pathway = await started_course(app)
    (upcoming,) = (await patient_view(client, patient))["upcoming"][:1]
    assessment_id = upcoming["assessment_id"]
    await move_clock_to(app, clock, T0 + HOUR)
    early = event(
        submission_data(40, T0 + HOUR, assessment_id=assessment_id),
        patient,
        pathway,
        time=T0 + HOUR,
    )

    await consume(app, early)
    await move_clock_to(app, clock, T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION])

    events = await emitted(app, patient)
    (scored,) = of_type(events, AssessmentScored)
    assert scored.causationid == early.id
    assert (scored.data.timepoint, scored.data.assessment_id) == (None, None)
    assert scored.data.change_from_baseline == 40 - 52
    (due,) = of_type(events, AssessmentDue)
    assert due.data.assessment_id == assessment_id  # still asked for: it was not satisfied


async def test_a_duplicate_submission_is_scored_once(followup):
    app, client, clock = followup
    patient, pathway = await started_course(app)
    due_at = T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION]
    await move_clock_to(app, clock, due_at)
    (due,) = of_type(await emitted(app, patient), AssessmentDue)
    answer = submission_data(40, due_at + HOUR, assessment_id=due.data.assessment_id)
    submitted = event(answer, patient, pathway, time=due_at + HOUR)
    resent_by_the_app = event(answer, patient, pathway, time=due_at + 2 * HOUR)
    sentinel = event(submission_data(38, due_at + 3 * HOUR), patient, pathway)

    await consume(app, submitted, submitted, resent_by_the_app, sentinel)

    scored = of_type(await emitted(app, patient), AssessmentScored)
    assert [e.causationid for e in scored] == [submitted.id, sentinel.id]
    assert scored[0].data.timepoint is Timepoint.AFTER_FIRST_INFUSION
    (dead,) = dead_lettered(app)
    assert json.loads(dead.value)["id"] == resent_by_the_app.id
    error_class, message = reason(dead)
    assert error_class == "RuleViolationError"
    assert "already has its pcl5 submission" in message
    await move_clock_to(app, clock, due_at + OVERDUE_AFTER + DAY)
    view = await patient_view(client, patient)
    assert pending(view) == []  # the overdue timer was cancelled by the submission
    assert view["assessments"][0]["status"] == "submitted"

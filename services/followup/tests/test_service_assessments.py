"""Assessments on the real broker: timers in order, duplicates, early and invalid submissions."""

import json
from datetime import datetime, timedelta

import pytest

from carepath_contracts import (
    AssessmentDue,
    AssessmentOverdue,
    AssessmentScored,
    TherapySessionScheduled,
    Timepoint,
)
from carepath_runtime import deadletters
from carepath_testing.kafka_io import header, produce

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
from .bus import (
    dead_letters,
    followup_events,
    move_clock_to,
    of_type,
    patient_view,
    publish,
    until_known,
)

pytestmark = pytest.mark.kafka

MINUTE = timedelta(minutes=1)
OFFSETS = {
    entry.timepoint: timedelta(hours=entry.offset_hours)
    for e in [0]
    for entry in PROTOCOL.assessments.schedule
}
OVERDUE_AFTER = timedelta(hours=PROTOCOL.assessments.overdue_after_hours)


async def started_course(service, bootstrap, prefix, baseline_total=52):
    """A screened patient whose first infusion was given at T0; returns (patient, pathway)."""
    _, client = service
    patient, pathway = new_patient()
    await publish(bootstrap, prefix, event(screened_data(baseline_total), patient, pathway))
    await until_known(client, patient)
    await publish(bootstrap, prefix, event(infusion_data(1, T0), patient, pathway))
    await followup_events(bootstrap, prefix, lambda got: of_type(got, TherapySessionScheduled))
    return patient, pathway


def pending(view) -> list[tuple[str, str, datetime]]:
    return [
        (item["kind"], item["timepoint"], datetime.fromisoformat(item["at"]))
        for item in view["upcoming"]
        if item["kind"].startswith("assessment")
    ]


def timeline(events) -> list[tuple[str, Timepoint, datetime]]:
    """Due and overdue events as (kind, timepoint, the moment they stand for), in bus order."""
    return [
        ("due", e.data.timepoint, e.data.due_at)
        if e.type == AssessmentDue.event_type
        else ("overdue", e.data.timepoint, e.data.overdue_at)
        for e in events
        if e.type in {AssessmentDue.event_type, AssessmentOverdue.event_type}
    ]


async def test_assessment_timers_fire_in_order_only_as_the_clock_passes_them(
    service, clock, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await started_course(service, kafka_bootstrap, topic_prefix)
    after_first_due = T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION]

    after_first_overdue = after_first_due + OVERDUE_AFTER

    await move_clock_to(app, clock, after_first_due - MINUTE)
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
    await publish(
        kafka_bootstrap, topic_prefix, event(infusion_data(6, last_at, last=True), patient, pathway)
    )
    await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: len(of_type(got, TherapySessionScheduled)) == 2
    )
    await move_clock_to(app, clock, last_at + OFFSETS[Timepoint.WEEK_2])  # one jump, many timers

    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: len(timeline(got)) >= 5
    )
    end_of_treatment_due = last_at + OFFSETS[Timepoint.END_OF_TREATMENT]
    assert timeline(events) == [
        ("due", Timepoint.AFTER_FIRST_INFUSION, after_first_due),
        ("overdue", Timepoint.AFTER_FIRST_INFUSION, after_first_overdue),
        ("due", Timepoint.END_OF_TREATMENT, end_of_treatment_due),
        ("overdue", Timepoint.END_OF_TREATMENT, end_of_treatment_due + OVERDUE_AFTER),
        ("due", Timepoint.WEEK_2, last_at + OFFSETS[Timepoint.WEEK_2]),
    ]
    assert all(e.subject == patient and e.correlationid == pathway for e in events)


async def test_a_submission_before_its_due_time_is_scored_as_unscheduled(
    service, clock, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await started_course(service, kafka_bootstrap, topic_prefix)
    (upcoming,) = (await patient_view(client, patient))["upcoming"][:1]
    assessment_id = upcoming["assessment_id"]
    await move_clock_to(app, clock, T0 + HOUR)

    early = event(
        submission_data(40, T0 + HOUR, assessment_id=assessment_id),
        patient,
        pathway,
        time=T0 + HOUR,
    )
    await publish(kafka_bootstrap, topic_prefix, early)
    await followup_events(kafka_bootstrap, topic_prefix, lambda got: of_type(got, AssessmentScored))
    await move_clock_to(app, clock, T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION])
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, AssessmentDue)
    )

    (scored,) = of_type(events, AssessmentScored)
    assert scored.causationid == early.id
    assert (scored.data.timepoint, scored.data.assessment_id) == (None, None)
    assert scored.data.change_from_baseline == 40 - 52
    (due,) = of_type(events, AssessmentDue)
    assert due.data.assessment_id == assessment_id  # still asked for: it was not satisfied


async def test_a_duplicate_submission_is_scored_once(service, clock, kafka_bootstrap, topic_prefix):
    app, client = service
    patient, pathway = await started_course(service, kafka_bootstrap, topic_prefix)
    due_at = T0 + OFFSETS[Timepoint.AFTER_FIRST_INFUSION]
    await move_clock_to(app, clock, due_at)
    (due,) = of_type(
        await followup_events(
            kafka_bootstrap, topic_prefix, lambda got: of_type(got, AssessmentDue)
        ),
        AssessmentDue,
    )
    answer = submission_data(40, due_at + HOUR, assessment_id=due.data.assessment_id)
    submitted = event(answer, patient, pathway, time=due_at + HOUR)
    resent_by_the_app = event(answer, patient, pathway, time=due_at + 2 * HOUR)
    sentinel = event(submission_data(38, due_at + 3 * HOUR), patient, pathway)

    await publish(kafka_bootstrap, topic_prefix, submitted, submitted, resent_by_the_app, sentinel)
    events = await followup_events(
        kafka_bootstrap,
        topic_prefix,
        lambda got: any(e.causationid == sentinel.id for e in of_type(got, AssessmentScored)),
    )
    (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    scored = of_type(events, AssessmentScored)
    assert [e.causationid for e in scored] == [submitted.id, sentinel.id]
    assert scored[0].data.timepoint is Timepoint.AFTER_FIRST_INFUSION
    assert json.loads(dead.value)["id"] == resent_by_the_app.id
    assert header(dead, deadletters.ERROR_CLASS) == "RuleViolationError"
    assert "already has its pcl5 submission" in header(dead, deadletters.ERROR_MESSAGE)
    await move_clock_to(app, clock, due_at + OVERDUE_AFTER + DAY)
    view = await patient_view(client, patient)
    assert pending(view) == []  # the overdue timer was cancelled by the submission
    assert view["assessments"][0]["status"] == "submitted"


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        ([1] * 19, "PCL-5 needs exactly 20 items, got 19 (item 20 missing)"),
        ([1, 1, 5] + [1] * 17, "item 3 must be at most 4"),
    ],
    ids=["19-items", "a-value-of-5"],
)
async def test_an_invalid_form_is_dead_lettered_with_a_reason_naming_the_item(
    service, kafka_bootstrap, topic_prefix, items, reason
):
    _, client = service
    patient, pathway = new_patient()
    await publish(kafka_bootstrap, topic_prefix, event(screened_data(), patient, pathway))
    await until_known(client, patient)
    valid = event(submission_data(30), patient, pathway)
    invalid = json.loads(valid.model_dump_json())
    invalid.update(id="0b9d1c1e-6a8f-4f63-9f57-7c1b5f0e2a41")
    invalid["data"]["items"] = items

    await produce(
        kafka_bootstrap,
        topic_prefix + "carepath.followup.inbound",
        [(patient.encode(), json.dumps(invalid).encode(), [])],
    )
    await publish(kafka_bootstrap, topic_prefix, valid)
    (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, AssessmentScored)
    )

    assert header(dead, deadletters.ERROR_CLASS) == "InvalidEventError"
    assert reason in header(dead, deadletters.ERROR_MESSAGE)
    assert json.loads(dead.value)["id"] == invalid["id"]
    assert [e.causationid for e in of_type(events, AssessmentScored)] == [valid.id]

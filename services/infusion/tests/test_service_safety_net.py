"""On the real broker: a planning failure is a published fact (never a dead letter), and the
infusion record's deviations reach the bus with their safety alerts."""

from datetime import timedelta

import pytest

from carepath_contracts import (
    INFUSION_EVENTS,
    PlanningFailed,
    SafetyAlert,
    SessionCompleted,
)
from carepath_infusion import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.kafka_io import produce_events
from carepath_testing.service import running
from carepath_testing.watch import watching

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    PROTOCOL,
    ended,
    infusion_settings,
    new_patient_id,
    screened,
)
from .service_helpers import monitor_until, seat

pytestmark = pytest.mark.kafka


async def test_clinic_days_that_cannot_hold_a_course_publish_a_planning_failure(
    kafka_bootstrap, topic_prefix, database_url
):
    settings = infusion_settings(kafka_bootstrap, topic_prefix, database_url, clinic_days=[6, 7])
    app = create_app(settings, clock=ManualClock(MONDAY))
    patient_id = new_patient_id()
    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, topic_prefix + INFUSION_EVENTS.name) as events:
            await produce_events(kafka_bootstrap, [screened(patient_id, MONDAY)], topic_prefix)
            (failed,) = await events.wait_count(patient_id, PlanningFailed, 1)
            view = await client.get(f"/v1/patients/{patient_id}")

    assert (failed.reason_code, failed.kind) == ("no_plan_fits_calendar", "induction")
    assert [event.type for event in events.events(patient_id)] == [PlanningFailed.event_type]
    assert view.status_code == 404  # nothing planned, nothing booked


async def test_a_rapid_overdosed_infusion_is_completed_with_its_deviations_and_two_alerts(
    kafka_bootstrap, topic_prefix, database_url
):
    settings = infusion_settings(kafka_bootstrap, topic_prefix, database_url)
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, topic_prefix + INFUSION_EVENTS.name) as events:
            session = await seat(kafka_bootstrap, topic_prefix, events, clock, patient_id)
            ended_at = session.scheduled_for + timedelta(minutes=5)
            await monitor_until(
                kafka_bootstrap, topic_prefix, clock, patient_id, session.session_id, ended_at
            )
            clock.set(ended_at)
            report = ended(
                patient_id, session.session_id, ended_at, dose_given_mg=80.0, duration_minutes=5
            )
            await produce_events(kafka_bootstrap, [report], topic_prefix)
            (completed,) = await events.wait_count(patient_id, SessionCompleted, 1)
            alerts = await events.wait_count(patient_id, SafetyAlert, 2)

    assert completed.deviations == ["dose_above_plan", "duration_below_range"]
    assert sorted((a.rule, a.reading_value, a.threshold_value) for a in alerts) == [
        ("dose_above_plan", 80.0, session.dose_mg),
        ("infusion_too_fast", 5, PROTOCOL.infusion_record.rapid_below_minutes),
    ]

"""On the real broker: a whole induction course, and session-ended reported twice."""

from datetime import timedelta

import pytest

from carepath_contracts import (
    INFUSION_EVENTS,
    CourseCompleted,
    CoursePlanned,
    DischargeAssessed,
    SessionCleared,
    SessionCompleted,
    SessionScheduled,
)
from carepath_infusion import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.conditions import eventually, metric_total
from carepath_testing.kafka_io import produce_events
from carepath_testing.service import running
from carepath_testing.watch import watching

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    checked_in,
    discharged,
    ended,
    new_patient_id,
    screened,
)
from .service_helpers import monitor_until

pytestmark = pytest.mark.kafka


async def give_session(bootstrap, prefix, clock, events, patient_id, session) -> None:
    """Check-in, the monitor's readings, the end of the infusion and discharge, as the clinic
    reports them."""
    slot = session.scheduled_for
    clock.set(slot - timedelta(minutes=20))
    cleared_before = len(events.data(patient_id, SessionCleared))
    await produce_events(
        bootstrap, [checked_in(patient_id, session.session_id, clock.now())], prefix
    )
    await events.wait_count(patient_id, SessionCleared, cleared_before + 1)
    end = slot + timedelta(minutes=45)
    await monitor_until(bootstrap, prefix, clock, patient_id, session.session_id, end)
    clock.set(end)
    completed_before = len(events.data(patient_id, SessionCompleted))
    await produce_events(bootstrap, [ended(patient_id, session.session_id, end)], prefix)
    await events.wait_count(patient_id, SessionCompleted, completed_before + 1)
    clock.set(slot + timedelta(minutes=170))
    assessed_before = len(events.data(patient_id, DischargeAssessed))
    await produce_events(
        bootstrap, [discharged(patient_id, session.session_id, clock.now())], prefix
    )
    await events.wait_count(patient_id, DischargeAssessed, assessed_before + 1)


async def test_an_eligible_patient_goes_from_screening_to_a_completed_course(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            await produce_events(kafka_bootstrap, [screened(patient_id, MONDAY)], prefix)
            (planned,) = await events.wait_count(patient_id, CoursePlanned, 1)
            scheduled = await events.wait_count(patient_id, SessionScheduled, 6)
            for session in sorted(scheduled, key=lambda s: s.scheduled_for):
                await give_session(kafka_bootstrap, prefix, clock, events, patient_id, session)
            (completed,) = await events.wait_count(patient_id, CourseCompleted, 1)
            view = (await client.get(f"/v1/patients/{patient_id}")).json()

    assert planned.session_count == 6 and planned.dose_mg == 41.3
    assert planned.rate_mg_per_min == pytest.approx(41.3 / 40)
    assert completed.sessions_completed == 6 and completed.course_id == planned.course_id
    finals = [c for c in events.data(patient_id, SessionCompleted) if c.is_last_induction_session]
    assert len(finals) == 1
    assert all(a.criteria_met for a in events.data(patient_id, DischargeAssessed))
    assert view["course"]["status"] == "completed"
    assert [s["status"] for s in view["sessions"]] == ["discharged"] * 6
    first_history = [entry["what"] for entry in view["sessions"][0]["history"]]
    assert first_history == ["scheduled", "in_progress", "completed", "discharged"]


async def test_session_ended_reported_twice_completes_the_session_once(settings, kafka_bootstrap):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            await produce_events(kafka_bootstrap, [screened(patient_id, MONDAY)], prefix)
            first = min(
                await events.wait_count(patient_id, SessionScheduled, 6),
                key=lambda s: s.scheduled_for,
            )
            clock.set(first.scheduled_for)
            await produce_events(
                kafka_bootstrap, [checked_in(patient_id, first.session_id, clock.now())], prefix
            )
            await events.wait_count(patient_id, SessionCleared, 1)
            clock.advance(timedelta(minutes=45))
            report = ended(patient_id, first.session_id, clock.now())
            same_fact_new_id = ended(patient_id, first.session_id, clock.now())
            await produce_events(kafka_bootstrap, [report, report, same_fact_new_id], prefix)
            runtime = app.state.runtime
            await eventually(
                lambda: (
                    metric_total(runtime.metrics.registry, "carepath_events_duplicate_total") >= 1
                ),
                what="the redelivered event id skipped by the inbox",
            )
            await eventually(
                lambda: (
                    metric_total(runtime.metrics.registry, "carepath_events_consumed_total") >= 4
                ),
                what="the second report with its own id handled",
            )
            await runtime.relay.flush()
            await produce_events(
                kafka_bootstrap,
                [discharged(patient_id, first.session_id, clock.now() + timedelta(hours=3))],
                prefix,
            )
            await events.wait_count(patient_id, DischargeAssessed, 1)

    assert len(events.data(patient_id, SessionCompleted)) == 1

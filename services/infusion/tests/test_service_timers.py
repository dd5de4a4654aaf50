"""On the real broker with a test clock: missed sessions, withdrawal and maintenance."""

from datetime import timedelta

import pytest

from carepath_contracts import (
    INFUSION_EVENTS,
    CourseCompleted,
    SessionCancelled,
    SessionMissed,
    SessionScheduled,
)
from carepath_infusion import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.conditions import metric_total
from carepath_testing.kafka_io import produce_events
from carepath_testing.service import running
from carepath_testing.watch import watching

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    maintenance_recommended,
    new_patient_id,
    withdrawn,
)
from .service_helpers import plan
from .test_service_course import give_session

pytestmark = pytest.mark.kafka


def timers_fired(app) -> float:
    return metric_total(app.state.runtime.metrics.registry, "carepath_timers_fired_total")


async def test_no_check_in_by_the_slot_plus_grace_misses_the_session_and_rebooks_it(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    grace = timedelta(minutes=settings.missed_session_grace_minutes)
    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            first = (await plan(kafka_bootstrap, prefix, events, patient_id))[0]
            # fire_due returns once every timer due by now has fired (here or in the loop).
            clock.set(first.scheduled_for + grace - timedelta(minutes=1))
            await app.state.runtime.scheduler.fire_due()
            assert timers_fired(app) == 0
            clock.set(first.scheduled_for + grace)
            await app.state.runtime.scheduler.fire_due()
            assert timers_fired(app) == 1
            (missed,) = await events.wait_count(patient_id, SessionMissed, 1)
            booked = await events.wait_count(patient_id, SessionScheduled, 7)
            view = (await client.get(f"/v1/patients/{patient_id}")).json()

    replacement = booked[-1]
    assert missed.session_id == first.session_id and missed.scheduled_for == first.scheduled_for
    assert missed.missed_at == first.scheduled_for + grace
    assert replacement.replaces_session_id == first.session_id
    assert replacement.session_number == 1
    assert replacement.scheduled_for.date() > first.scheduled_for.date()
    statuses = {s["session_id"]: s["status"] for s in view["sessions"]}
    assert statuses[first.session_id] == "missed"
    assert statuses[replacement.session_id] == "scheduled"


async def test_a_withdrawn_patient_has_every_future_session_cancelled_and_none_missed(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            sessions = await plan(kafka_bootstrap, prefix, events, patient_id)
            await produce_events(kafka_bootstrap, [withdrawn(patient_id, MONDAY)], prefix)
            cancelled = await events.wait_count(patient_id, SessionCancelled, 6)
            clock.set(sessions[-1].scheduled_for + timedelta(days=2))
            await app.state.runtime.scheduler.fire_due()
            assert timers_fired(app) == 0
            view = (await client.get(f"/v1/patients/{patient_id}")).json()

    assert {c.session_id for c in cancelled} == {s.session_id for s in sessions}
    assert {c.reason_code for c in cancelled} == {"patient_withdrawn"}
    assert events.data(patient_id, SessionMissed) == []
    assert view["course"]["status"] == "withdrawn"


async def test_maintenance_recommended_after_the_course_books_a_maintenance_session(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            for session in await plan(kafka_bootstrap, prefix, events, patient_id):
                await give_session(kafka_bootstrap, prefix, clock, events, patient_id, session)
            await events.wait_count(patient_id, CourseCompleted, 1)
            clock.advance(timedelta(days=14))
            recommended = maintenance_recommended(patient_id, clock.now(), interval_days=21)
            await produce_events(kafka_bootstrap, [recommended], prefix)
            booked = await events.wait_count(patient_id, SessionScheduled, 7)

    maintenance = booked[-1]
    assert maintenance.kind == "maintenance" and maintenance.session_number == 7
    assert maintenance.scheduled_for.date() >= (clock.now() + timedelta(days=21)).date()
    assert maintenance.scheduled_for - clock.now() < timedelta(days=21 + 3)

"""On the real broker: dangerous readings raise one safety alert per episode, quickly."""

from datetime import timedelta

import pytest

from carepath_contracts import INFUSION_DLQ, INFUSION_EVENTS, SafetyAlert, SessionCompleted
from carepath_infusion import create_app
from carepath_runtime import deadletters
from carepath_runtime.clock import ManualClock
from carepath_testing.conditions import app_metric_total, eventually
from carepath_testing.kafka_io import header, produce_events, read_until
from carepath_testing.service import running
from carepath_testing.watch import watching

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    PROTOCOL,
    ended,
    new_patient_id,
    vitals,
)
from .service_helpers import monitor_until, plan, seat

pytestmark = pytest.mark.kafka
SYSTOLIC = next(a for a in PROTOCOL.infusion_safety.alerts if a.rule == "systolic_high")


def consumed(app) -> float:
    return app_metric_total(app, "carepath_events_consumed_total")


async def test_a_burst_of_dangerous_readings_raises_one_alert_and_a_new_episode_another(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    high = int(SYSTOLIC.threshold) + 12
    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            session = await seat(kafka_bootstrap, prefix, events, clock, patient_id)
            start = session.scheduled_for
            burst = [
                vitals(
                    patient_id, session.session_id, start + timedelta(seconds=5 * n), systolic=high
                )
                for n in range(20)
            ]
            await produce_events(kafka_bootstrap, burst, prefix)
            (alert,) = await events.wait_count(patient_id, SafetyAlert, 1)
            back_in_range = vitals(patient_id, session.session_id, start + timedelta(minutes=3))
            again = vitals(
                patient_id, session.session_id, start + timedelta(minutes=4), systolic=high + 1
            )
            await produce_events(kafka_bootstrap, [back_in_range, again], prefix)
            alerts = await events.wait_count(patient_id, SafetyAlert, 2)
            view = (await client.get(f"/v1/patients/{patient_id}")).json()

    assert alert.rule == SYSTOLIC.rule and alert.action == SYSTOLIC.action
    assert alert.reading_value == high and alert.threshold_value == SYSTOLIC.threshold
    assert alert.measured_at == start and alert.protocol == PROTOCOL.ref
    assert [a.measured_at for a in alerts] == [start, start + timedelta(minutes=4)]
    assert view["sessions"][0]["open_alert_rules"] == ["systolic_high"]
    whats = [entry["what"] for entry in view["sessions"][0]["history"]]
    assert whats.count("safety_alert") == 2


async def test_readings_before_check_in_are_ignored_and_for_an_unknown_session_dead_lettered(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    dangerous = {"systolic": int(SYSTOLIC.threshold) + 30}
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            sessions = await plan(kafka_bootstrap, prefix, events, patient_id)
            not_started = vitals(patient_id, sessions[1].session_id, MONDAY, **dangerous)
            unknown = vitals(patient_id, "session-that-does-not-exist", MONDAY, **dangerous)
            handled_before = consumed(app)
            await produce_events(kafka_bootstrap, [not_started, unknown], prefix)
            dead = await read_until(
                kafka_bootstrap, prefix + INFUSION_DLQ.name, lambda got: len(got) >= 1
            )
            await eventually(lambda: consumed(app) >= handled_before + 1, what="early reading")

    assert events.data(patient_id, SafetyAlert) == []
    assert header(dead[0], deadletters.ERROR_CLASS) == "RuleViolationError"
    assert "session-that-does-not-exist" in header(dead[0], deadletters.ERROR_MESSAGE)


async def test_a_late_reading_after_the_infusion_ended_still_alerts_during_observation(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix
    async with running(app, CLINICIAN_TOKEN):
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            session = await seat(kafka_bootstrap, prefix, events, clock, patient_id)
            end = session.scheduled_for + timedelta(minutes=45)
            await monitor_until(kafka_bootstrap, prefix, clock, patient_id, session.session_id, end)
            clock.set(end)
            await produce_events(
                kafka_bootstrap, [ended(patient_id, session.session_id, clock.now())], prefix
            )
            await events.wait_count(patient_id, SessionCompleted, 1)
            low_oxygen = vitals(
                patient_id, session.session_id, clock.now() + timedelta(minutes=30), spo2=85
            )
            await produce_events(kafka_bootstrap, [low_oxygen], prefix)
            (alert,) = await events.wait_count(patient_id, SafetyAlert, 1)

    assert alert.rule == "spo2_low" and alert.reading_value == 85

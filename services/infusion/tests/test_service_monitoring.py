"""On the real broker with a test clock: a monitor that stops sending readings during an
infusion raises one alert at the protocol's minutes; readings move the timer on, the end of
the infusion cancels it. The clock is moved; nothing sleeps."""

from datetime import timedelta

import pytest

from carepath_contracts import INFUSION_EVENTS, SafetyAlert, SessionCompleted
from carepath_infusion import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.conditions import app_metric_total, eventually
from carepath_testing.kafka_io import produce_events
from carepath_testing.offline import move_clock_to
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
from .service_helpers import seat

pytestmark = pytest.mark.kafka
SILENCE = timedelta(minutes=PROTOCOL.infusion_safety.monitor_silence_minutes)
SECOND = timedelta(seconds=1)


async def test_silence_during_the_infusion_alerts_once_and_readings_and_the_end_move_it_on(
    settings, kafka_bootstrap
):
    clock = ManualClock(MONDAY)
    app = create_app(settings, clock=clock)
    patient_id = new_patient_id()
    prefix = settings.topic_prefix

    async def deliver(*events) -> None:
        before = app_metric_total(app, "carepath_events_consumed_total")
        await produce_events(kafka_bootstrap, list(events), prefix)
        await eventually(
            lambda: app_metric_total(app, "carepath_events_consumed_total") >= before + len(events),
            what="the events handled",
        )

    async def timers_fired_by(at) -> float:
        """Move the clock to `at` and fire what is due: the timers fired so far."""
        await move_clock_to(app, clock, at)
        return app_metric_total(app, "carepath_timers_fired_total")

    async with running(app, CLINICIAN_TOKEN) as client:
        async with watching(kafka_bootstrap, prefix + INFUSION_EVENTS.name) as events:
            session = await seat(kafka_bootstrap, prefix, events, clock, patient_id)
            cleared = clock.now()
            reading_at = cleared + timedelta(minutes=10)
            clock.set(reading_at)
            await deliver(vitals(patient_id, session.session_id, reading_at))

            fired = await timers_fired_by(cleared + SILENCE)  # the first due time, moved on
            assert fired == 0
            assert await timers_fired_by(reading_at + SILENCE - SECOND) == 0
            assert await timers_fired_by(reading_at + SILENCE) == 1
            (alert,) = await events.wait_count(patient_id, SafetyAlert, 1)
            silent = (await client.get(f"/v1/patients/{patient_id}")).json()
            assert await timers_fired_by(reading_at + 3 * SILENCE) == 1  # once per silence

            back = reading_at + 3 * SILENCE + SECOND
            clock.set(back)
            await deliver(vitals(patient_id, session.session_id, back))
            end_at = back + timedelta(minutes=5)
            clock.set(end_at)
            await deliver(ended(patient_id, session.session_id, end_at, duration_minutes=45))
            await events.wait_count(patient_id, SessionCompleted, 1)
            assert await timers_fired_by(end_at + 2 * SILENCE) == 1  # cancelled with the end
            view = (await client.get(f"/v1/patients/{patient_id}")).json()

    assert (alert.rule, alert.action, alert.unit) == ("monitor_silence", "notify", "min")
    assert (alert.reading_value, alert.threshold_value) == (20, 20)
    assert alert.measured_at == reading_at + SILENCE and alert.session_id == session.session_id
    assert silent["sessions"][0]["open_alert_rules"] == ["monitor_silence"]
    assert view["sessions"][0]["open_alert_rules"] == []
    assert len(events.data(patient_id, SafetyAlert)) == 1
    assert app_metric_total(app, "carepath_events_dead_lettered_total") == 0

"""Driving the running infusion service in broker tests: a planned course, a cleared session."""

from datetime import datetime, timedelta

from carepath_contracts import INFUSION_INBOUND, SessionCleared, SessionScheduled
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events, uncommitted
from carepath_testing.watch import TopicWatch

from .builders import MONDAY, checked_in, screened, vitals

READING_EVERY = timedelta(minutes=10)


async def plan(bootstrap: str, prefix: str, events: TopicWatch, patient_id: str) -> list:
    """Screens the patient eligible; returns the six booked sessions, earliest first."""
    await produce_events(bootstrap, [screened(patient_id, MONDAY)], prefix)
    booked = await events.wait_count(patient_id, SessionScheduled, 6)
    return sorted(booked, key=lambda session: session.scheduled_for)


async def seat(bootstrap: str, prefix: str, events: TopicWatch, clock, patient_id: str):
    """Plans a course and checks the patient in for the first session; returns that session."""
    first = (await plan(bootstrap, prefix, events, patient_id))[0]
    clock.set(first.scheduled_for - timedelta(minutes=15))
    await produce_events(bootstrap, [checked_in(patient_id, first.session_id, clock.now())], prefix)
    await events.wait_count(patient_id, SessionCleared, 1)
    return first


async def monitor_until(
    bootstrap: str, prefix: str, clock, patient_id: str, session_id: str, until: datetime
) -> None:
    """The chair's monitor: a reading every 10 minutes from now until `until`, each handled
    before the clock moves on, so the monitor-silence timer (rearmed by each reading) never
    comes due in between. The clock is left at the last reading."""
    at = clock.now()
    while at < until:
        clock.set(at)
        await produce_events(bootstrap, [vitals(patient_id, session_id, at)], prefix)

        async def handled() -> bool:
            return (
                await uncommitted(bootstrap, f"{prefix}infusion", prefix + INFUSION_INBOUND.name)
                == 0
            )

        await eventually(handled, what=f"the reading at {at:%H:%M} handled")
        at += READING_EVERY

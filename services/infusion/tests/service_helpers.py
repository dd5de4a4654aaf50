"""Driving the running infusion service in broker tests: a planned course, a cleared session."""

from datetime import timedelta

from carepath_contracts import SessionCleared, SessionScheduled
from carepath_testing.kafka_io import produce_events
from carepath_testing.watch import TopicWatch

from .builders import MONDAY, checked_in, screened


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

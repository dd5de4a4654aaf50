"""Infusion's rules as its handlers and timers apply them, offline (no broker): a missed
session rebooked, withdrawal, maintenance booking, a planning failure, a rapid overdosed
infusion. The whole course and redelivery on the real broker are in test_service_course.py."""

from datetime import timedelta

from carepath_contracts import (
    CourseCompleted,
    PlanningFailed,
    SafetyAlert,
    SessionCancelled,
    SessionCompleted,
    SessionMissed,
    SessionScheduled,
)
from carepath_infusion import create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.offline import consume, emitted, fire_due, offline

from .builders import (
    CLINICIAN_TOKEN,
    MONDAY,
    PROTOCOL,
    checked_in,
    discharged,
    ended,
    infusion_settings,
    maintenance_recommended,
    new_patient_id,
    screened,
    vitals,
    withdrawn,
)


def of_type(events, model) -> list:
    return [event.data for event in events if event.type == model.event_type]


async def planned(app, patient_id) -> list:
    await consume(app, screened(patient_id, MONDAY))
    booked = of_type(await emitted(app, patient_id), SessionScheduled)
    assert len(booked) == 6
    return sorted(booked, key=lambda session: session.scheduled_for)


async def give(app, clock, patient_id, session, *, minutes=45, **reported) -> None:
    """Check-in, a reading every 10 minutes while infusing, the end and the discharge."""
    slot = session.scheduled_for
    clock.set(slot - timedelta(minutes=20))
    await consume(app, checked_in(patient_id, session.session_id, clock.now()))
    for minute in range(-10, minutes, 10):
        clock.set(slot + timedelta(minutes=minute))
        await consume(app, vitals(patient_id, session.session_id, clock.now()))
    clock.set(slot + timedelta(minutes=minutes))
    await consume(app, ended(patient_id, session.session_id, clock.now(), **reported))
    clock.set(slot + timedelta(minutes=170))
    await consume(app, discharged(patient_id, session.session_id, clock.now()))


async def test_no_check_in_by_the_slot_plus_grace_misses_the_session_and_rebooks_it(
    infusion, offline_settings
):
    app, client, clock = infusion
    patient_id = new_patient_id()
    grace = timedelta(minutes=offline_settings.missed_session_grace_minutes)
    first = (await planned(app, patient_id))[0]

    clock.set(first.scheduled_for + grace - timedelta(minutes=1))
    assert await fire_due(app) == 0
    clock.set(first.scheduled_for + grace)
    assert await fire_due(app) == 1

    events = await emitted(app, patient_id)
    (missed,) = of_type(events, SessionMissed)
    replacement = of_type(events, SessionScheduled)[-1]
    assert missed.session_id == first.session_id and missed.scheduled_for == first.scheduled_for
    assert missed.missed_at == first.scheduled_for + grace
    assert replacement.replaces_session_id == first.session_id
    assert replacement.session_number == 1
    assert replacement.scheduled_for.date() > first.scheduled_for.date()
    view = (await client.get(f"/v1/patients/{patient_id}")).json()
    statuses = {s["session_id"]: s["status"] for s in view["sessions"]}
    assert statuses[first.session_id] == "missed"
    assert statuses[replacement.session_id] == "scheduled"


async def test_a_withdrawn_patient_has_every_future_session_cancelled_and_none_missed(infusion):
    app, client, clock = infusion
    patient_id = new_patient_id()
    sessions = await planned(app, patient_id)

    await consume(app, withdrawn(patient_id, MONDAY))
    clock.set(sessions[-1].scheduled_for + timedelta(days=2))

    assert await fire_due(app) == 0
    events = await emitted(app, patient_id)
    cancelled = of_type(events, SessionCancelled)
    assert {c.session_id for c in cancelled} == {s.session_id for s in sessions}
    assert {c.reason_code for c in cancelled} == {"patient_withdrawn"}
    assert of_type(events, SessionMissed) == []
    view = (await client.get(f"/v1/patients/{patient_id}")).json()
    assert view["course"]["status"] == "withdrawn"


async def test_maintenance_recommended_after_the_course_books_a_maintenance_session(infusion):
    app, _, clock = infusion
    patient_id = new_patient_id()
    for session in await planned(app, patient_id):
        await give(app, clock, patient_id, session)
    assert len(of_type(await emitted(app, patient_id), CourseCompleted)) == 1
    assert of_type(await emitted(app, patient_id), SafetyAlert) == []
    clock.advance(timedelta(days=14))

    await consume(app, maintenance_recommended(patient_id, clock.now(), interval_days=21))

    maintenance = of_type(await emitted(app, patient_id), SessionScheduled)[-1]
    assert maintenance.kind == "maintenance" and maintenance.session_number == 7
    assert maintenance.scheduled_for.date() >= (clock.now() + timedelta(days=21)).date()
    assert maintenance.scheduled_for - clock.now() < timedelta(days=21 + 3)


async def test_clinic_days_that_cannot_hold_a_course_publish_a_planning_failure(tmp_path):
    settings = infusion_settings(
        "127.0.0.1:1", "t.", f"sqlite+aiosqlite:///{tmp_path / 'weekend.db'}", clinic_days=[6, 7]
    )
    app = create_app(settings, clock=ManualClock(MONDAY))
    patient_id = new_patient_id()
    async with offline(app, CLINICIAN_TOKEN) as client:
        await consume(app, screened(patient_id, MONDAY))
        events = await emitted(app, patient_id)
        view = await client.get(f"/v1/patients/{patient_id}")

    (failed,) = of_type(events, PlanningFailed)
    assert (failed.reason_code, failed.kind) == ("no_plan_fits_calendar", "induction")
    assert [event.type for event in events] == [PlanningFailed.event_type]
    assert view.status_code == 404  # nothing planned, nothing booked


async def test_a_rapid_overdosed_infusion_is_completed_with_its_deviations_and_two_alerts(
    infusion,
):
    app, _, clock = infusion
    patient_id = new_patient_id()
    session = (await planned(app, patient_id))[0]

    await give(app, clock, patient_id, session, minutes=5, dose_given_mg=80.0, duration_minutes=5)

    events = await emitted(app, patient_id)
    (completed,) = of_type(events, SessionCompleted)
    assert completed.deviations == ["dose_above_plan", "duration_below_range"]
    alerts = of_type(events, SafetyAlert)
    assert sorted((a.rule, a.reading_value, a.threshold_value) for a in alerts) == [
        ("dose_above_plan", 80.0, session.dose_mg),
        ("infusion_too_fast", 5, PROTOCOL.infusion_record.rapid_below_minutes),
    ]

from datetime import UTC, datetime, timedelta

from carepath_runtime.clock import ManualClock
from carepath_runtime.database import transaction
from carepath_runtime.metrics import ServiceMetrics
from carepath_runtime.scheduler import TimerScheduler
from carepath_runtime.timers import pending_timers, schedule_timer
from carepath_runtime.unit_of_work import UnitOfWork

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def scheduler(sessions, clock, fired: list[str]) -> TimerScheduler:
    async def on_reminder(unit: UnitOfWork, timer) -> None:
        fired.append(f"{timer.timer_key}@{unit.now():%d %H:%M}")
        if timer.payload.get("again_in_hours"):
            await unit.schedule(
                key=f"{timer.timer_key}+",
                kind="reminder",
                patient_id=timer.patient_id,
                correlation_id=timer.correlation_id,
                due_at=timer.due_at + timedelta(hours=timer.payload["again_in_hours"]),
            )

    return TimerScheduler(
        sessions=sessions,
        clock=clock,
        topic_prefix="",
        source="carepath/probe",
        handlers={"reminder": on_reminder},
        metrics=ServiceMetrics("probe"),
        on_committed=lambda: None,
    )


async def add_timer(sessions, key, due_at, **payload):
    async with transaction(sessions) as session:
        await schedule_timer(
            session,
            key=key,
            kind="reminder",
            patient_id="p1",
            correlation_id="c1",
            due_at=due_at,
            payload=payload,
        )


async def test_timers_fire_in_due_order_only_once_the_clock_passes_them(sessions):
    clock = ManualClock(START)
    fired: list[str] = []
    await add_timer(sessions, "b", START + timedelta(hours=2))
    await add_timer(sessions, "a", START + timedelta(hours=1))
    the_scheduler = scheduler(sessions, clock, fired)

    assert await the_scheduler.fire_due() == 0
    clock.advance(timedelta(hours=3))
    assert await the_scheduler.fire_due() == 2
    assert fired == ["a@02 11:00", "b@02 11:00"]
    assert await the_scheduler.fire_due() == 0


async def test_a_timer_set_by_a_fired_timer_fires_in_the_same_pass_when_already_due(sessions):
    clock = ManualClock(START)
    fired: list[str] = []
    await add_timer(sessions, "first", START + timedelta(hours=1), again_in_hours=1)
    clock.advance(timedelta(days=1))
    assert await scheduler(sessions, clock, fired).fire_due() == 2
    assert [entry.split("@")[0] for entry in fired] == ["first", "first+"]


async def test_rescheduling_the_same_key_moves_the_timer_instead_of_adding_one(sessions):
    await add_timer(sessions, "k", START + timedelta(hours=1))
    await add_timer(sessions, "k", START + timedelta(hours=5))
    async with sessions() as session:
        pending = await pending_timers(session, "p1")
    assert [(t.timer_key, t.due_at.astimezone(UTC)) for t in pending] == [
        ("k", START + timedelta(hours=5))
    ]


async def test_cancelled_patient_timers_never_fire(sessions):
    clock = ManualClock(START)
    fired: list[str] = []
    await add_timer(sessions, "x", START + timedelta(hours=1))
    async with transaction(sessions) as session:
        unit = UnitOfWork(session, clock, "", source="carepath/probe")
        assert await unit.cancel_patient_timers("p1") == 1
    clock.advance(timedelta(days=2))
    assert await scheduler(sessions, clock, fired).fire_due() == 0
    assert fired == []


async def test_a_timer_scheduled_by_a_fired_timer_fires_before_later_ones_on_a_clock_jump(
    sessions,
):
    clock = ManualClock(START)
    fired: list[str] = []
    await add_timer(sessions, "due", START + timedelta(hours=1), again_in_hours=1)
    await add_timer(sessions, "later", START + timedelta(hours=3))
    clock.advance(timedelta(days=1))
    assert await scheduler(sessions, clock, fired).fire_due() == 3
    assert [entry.split("@")[0] for entry in fired] == ["due", "due+", "later"]

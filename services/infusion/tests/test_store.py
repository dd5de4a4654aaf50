"""The infusion store on SQLite and PostgreSQL: courses, sessions, alert episodes, history."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from carepath_infusion import store
from carepath_infusion.domain.model import CourseStatus, HistoryEntry, SessionStatus
from carepath_runtime.clock import ManualClock
from carepath_runtime.database import transaction
from carepath_runtime.unit_of_work import UnitOfWork

from .builders import CALM
from .domain_fixtures import planned

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def unit_of(db) -> UnitOfWork:
    return UnitOfWork(db, ManualClock(NOW), topic_prefix="", source="carepath/infusion")


async def save(sessionmaker, decision, patient_id: str) -> None:
    async with transaction(sessionmaker) as db:
        if decision.course is not None:
            await store.save_course(db, decision.course, at=NOW)
        await store.save_sessions(db, decision.sessions, at=NOW)
        unit = unit_of(db)
        store.add_history_later(unit, patient_id, decision.history)
        await unit.flush()


async def test_a_planned_course_and_its_sessions_read_back_as_they_were_saved(sessions):
    decision = planned(NOW, patient_id="pt-store-1")
    await save(sessions, decision, "pt-store-1")
    async with sessions() as db:
        course = await store.course_of_patient(db, "pt-store-1")
        stored = await store.sessions_of_course(db, course.course_id)
    assert course == decision.course
    assert stored == sorted(decision.sessions, key=lambda s: s.scheduled_for)
    assert all(s.scheduled_for.tzinfo == UTC for s in stored)


async def test_saving_again_updates_rows_instead_of_adding_them(sessions):
    decision = planned(NOW, patient_id="pt-store-2")
    await save(sessions, decision, "pt-store-2")
    first = min(decision.sessions, key=lambda s: s.scheduled_for)
    started = replace(
        first,
        status=SessionStatus.IN_PROGRESS,
        baseline_vitals=CALM,
        checked_in_at=first.scheduled_for - timedelta(minutes=20),
        open_alert_rules=frozenset({"spo2_low"}),
    )
    async with transaction(sessions) as db:
        await store.save_course(db, replace(decision.course, status=CourseStatus.SUSPENDED), at=NOW)
        await store.save_sessions(db, [started], at=NOW)
    async with sessions() as db:
        course = await store.course_of_patient(db, "pt-store-2", for_update=True)
        stored = await store.sessions_of_course(db, course.course_id)
    assert course.status == CourseStatus.SUSPENDED
    assert len(stored) == 6 and stored[0] == started


async def test_the_watched_session_is_one_lookup_and_alert_episodes_are_kept(sessions):
    decision = planned(NOW, patient_id="pt-store-3")
    await save(sessions, decision, "pt-store-3")
    session_id = decision.sessions[0].session_id
    async with transaction(sessions) as db:
        unit = unit_of(db)
        store.set_open_alert_rules_later(unit, session_id, {"spo2_low"}, at=NOW)
        store.set_open_alert_rules_later(unit, session_id, {"systolic_high", "spo2_low"}, at=NOW)
        assert (await store.watched_session(db, session_id)).open_alert_rules == set()  # buffered
        await unit.flush()  # in order: the last change wins
    async with sessions() as db:
        state = await store.watched_session(db, session_id)
        unknown = await store.watched_session(db, "session-nobody")
    assert state.patient_id == "pt-store-3" and state.status == SessionStatus.SCHEDULED
    assert state.open_alert_rules == {"systolic_high", "spo2_low"}
    assert unknown is None


async def test_history_comes_back_per_patient_in_the_order_it_happened(sessions):
    decision = planned(NOW, patient_id="pt-store-4")
    await save(sessions, decision, "pt-store-4")
    session_id = decision.sessions[0].session_id
    later = HistoryEntry(session_id, NOW + timedelta(days=1), "in_progress", {"note": "ok"})
    async with transaction(sessions) as db:
        unit = unit_of(db)
        store.add_history_later(unit, "pt-store-4", [later])
        store.add_history_later(unit, "pt-someone-else", [later])
        await unit.flush()
    async with sessions() as db:
        history = await store.history_of_patient(db, "pt-store-4")
    assert [entry.what for entry in history] == ["scheduled"] * 6 + ["in_progress"]
    assert history[-1] == later


async def test_a_patient_has_at_most_one_course(sessions):
    await save(sessions, planned(NOW, patient_id="pt-store-5"), "pt-store-5")
    with pytest.raises(IntegrityError):
        await save(sessions, planned(NOW, patient_id="pt-store-5"), "pt-store-5")

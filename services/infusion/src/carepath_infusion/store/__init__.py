"""Infusion's queries: what its handlers and its HTTP view read and write."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import ProtocolRef
from carepath_infusion.domain.model import Course, HistoryEntry, Session, SessionStatus
from carepath_infusion.domain.vitals import WatchedSession
from carepath_infusion.store import rows
from carepath_infusion.store.tables import courses, history, metadata, sessions
from carepath_runtime.unit_of_work import UnitOfWork

__all__ = ["metadata"]


async def course_of_patient(
    db: AsyncSession, patient_id: str, *, for_update: bool = False
) -> Course | None:
    query = select(courses).where(courses.c.patient_id == patient_id)
    if for_update:
        # Replicas share partitions only during a rebalance; the row lock orders them then.
        query = query.with_for_update()
    row = (await db.execute(query)).mappings().first()
    return None if row is None else rows.course(row)


async def sessions_of_course(db: AsyncSession, course_id: str) -> list[Session]:
    found = await db.execute(
        select(sessions)
        .where(sessions.c.course_id == course_id)
        .order_by(sessions.c.scheduled_for, sessions.c.session_number)
    )
    return [rows.session(row) for row in found.mappings()]


_WATCHED = select(
    sessions.c.session_id,
    sessions.c.patient_id,
    sessions.c.status,
    sessions.c.open_alert_rules,
    courses.c.protocol_id,
    courses.c.protocol_version,
).join(courses, courses.c.course_id == sessions.c.course_id)
"""A session as a reading is judged: with its course's protocol version."""


async def watched_session(db: AsyncSession, session_id: str) -> WatchedSession | None:
    return (await watched_sessions(db, [session_id])).get(session_id)


async def watched_sessions(
    db: AsyncSession, session_ids: Iterable[str]
) -> dict[str, WatchedSession]:
    """`watched_session` for many sessions in one query (a batch of vitals)."""
    found = await db.execute(_WATCHED.where(sessions.c.session_id.in_(set(session_ids))))
    return {
        row.session_id: WatchedSession(
            row.patient_id,
            SessionStatus(row.status),
            rows.alert_rules(row.open_alert_rules),
            ProtocolRef(id=row.protocol_id, version=row.protocol_version),
        )
        for row in found
    }


_SET_OPEN_ALERT_RULES = (
    update(sessions)
    .where(sessions.c.session_id == bindparam("session_id_"))
    .values(open_alert_rules=bindparam("rules_"), updated_at=bindparam("at_"))
)


def set_open_alert_rules_later(
    unit: UnitOfWork, session_id: str, rules: Iterable[str], *, at: datetime
) -> None:
    """Buffered (the hot path): read sessions only after `unit.flush()`."""
    unit.write_later(
        _SET_OPEN_ALERT_RULES,
        {"session_id_": session_id, "rules_": rows.alert_rules_column(rules), "at_": at},
    )


async def save_course(db: AsyncSession, course: Course, *, at: datetime) -> None:
    values = rows.course_row(course, at=at)
    await _upsert(db, courses, courses.c.course_id, course.course_id, values)


async def save_sessions(db: AsyncSession, changed: Sequence[Session], *, at: datetime) -> None:
    for session in changed:
        values = rows.session_row(session, at=at)
        await _upsert(db, sessions, sessions.c.session_id, session.session_id, values)


_INSERT_HISTORY = insert(history)


def add_history_later(unit: UnitOfWork, patient_id: str, entries: Sequence[HistoryEntry]) -> None:
    """Buffered: nothing reads the history back within a transaction."""
    for entry in entries:
        unit.write_later(
            _INSERT_HISTORY,
            {
                "session_id": entry.session_id,
                "patient_id": patient_id,
                "at": entry.at,
                "what": entry.what,
                "detail": entry.detail,
            },
        )


async def history_of_patient(db: AsyncSession, patient_id: str) -> list[HistoryEntry]:
    found = await db.execute(
        select(history).where(history.c.patient_id == patient_id).order_by(history.c.id)
    )
    return [
        HistoryEntry(row["session_id"], row["at"], row["what"], dict(row["detail"]))
        for row in found.mappings()
    ]


async def _upsert(
    db: AsyncSession, table: Table, key_column: Column[Any], key: str, values: dict[str, Any]
) -> None:
    result = await db.execute(update(table).where(key_column == key).values(**values))
    if not result.rowcount:
        await db.execute(insert(table).values({key_column.name: key, **values}))

"""The infusion service's own tables and the queries its handlers and API use."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import ProtocolRef, SessionKind, Vitals
from carepath_infusion.domain.model import (
    Course,
    CourseStatus,
    Dose,
    HistoryEntry,
    Session,
    SessionStatus,
)
from carepath_runtime.columns import Id, UtcDateTime
from carepath_runtime.unit_of_work import UnitOfWork

metadata = MetaData()

courses = Table(
    "infusion_courses",
    metadata,
    Column("course_id", String(64), primary_key=True),
    Column("patient_id", String(64), nullable=False, unique=True),
    Column("correlation_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_reason", String(64), nullable=True),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", Integer, nullable=False),
    Column("dosing_weight_kg", Float, nullable=False),
    Column("dose_mg", Float, nullable=False),
    Column("rate_mg_per_min", Float, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("first_session_at", UtcDateTime, nullable=False),
    Column("window_ends_at", UtcDateTime, nullable=False),
    Column("planned_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

sessions = Table(
    "infusion_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("course_id", String(64), nullable=False, index=True),
    Column("patient_id", String(64), nullable=False),
    Column("session_number", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("scheduled_for", UtcDateTime, nullable=False),
    Column("dose_mg", Float, nullable=False),
    Column("replaces_session_id", String(64), nullable=True),
    Column("baseline_vitals", JSON, nullable=True),
    Column("checked_in_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("dose_given_mg", Float, nullable=True),
    Column("serious_adverse_event", Boolean, nullable=False),
    Column("discharged_at", UtcDateTime, nullable=True),
    # Comma-separated rules with an open alert episode: read with the status in one lookup.
    Column("open_alert_rules", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

history = Table(
    "infusion_session_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False),
    Column("patient_id", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("what", String(40), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_infusion_session_history_patient", history.c.patient_id, history.c.id)


@dataclass(frozen=True)
class MonitorState:
    """What the vitals hot path needs about a session, from one primary-key lookup."""

    patient_id: str
    status: SessionStatus
    open_alert_rules: frozenset[str]


async def course_of_patient(
    db: AsyncSession, patient_id: str, *, for_update: bool = False
) -> Course | None:
    query = select(courses).where(courses.c.patient_id == patient_id)
    if for_update:
        # Replicas share partitions only during a rebalance; the row lock orders them then.
        query = query.with_for_update()
    row = (await db.execute(query)).mappings().first()
    return None if row is None else _course(row)


async def sessions_of_course(db: AsyncSession, course_id: str) -> list[Session]:
    rows = await db.execute(
        select(sessions)
        .where(sessions.c.course_id == course_id)
        .order_by(sessions.c.scheduled_for, sessions.c.session_number)
    )
    return [_session(row) for row in rows.mappings()]


async def monitor_state(db: AsyncSession, session_id: str) -> MonitorState | None:
    row = (
        await db.execute(
            select(sessions.c.patient_id, sessions.c.status, sessions.c.open_alert_rules).where(
                sessions.c.session_id == session_id
            )
        )
    ).first()
    if row is None:
        return None
    return MonitorState(row.patient_id, SessionStatus(row.status), _rules(row.open_alert_rules))


async def monitor_states(db: AsyncSession, session_ids: Iterable[str]) -> dict[str, MonitorState]:
    """`monitor_state` for many sessions in one query (a batch of vitals)."""
    rows = await db.execute(
        select(
            sessions.c.session_id,
            sessions.c.patient_id,
            sessions.c.status,
            sessions.c.open_alert_rules,
        ).where(sessions.c.session_id.in_(set(session_ids)))
    )
    return {
        row.session_id: MonitorState(
            row.patient_id, SessionStatus(row.status), _rules(row.open_alert_rules)
        )
        for row in rows
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
        {"session_id_": session_id, "rules_": ",".join(sorted(rules)), "at_": at},
    )


async def save_course(db: AsyncSession, course: Course, *, at: datetime) -> None:
    values = {
        "patient_id": course.patient_id,
        "correlation_id": course.correlation_id,
        "status": course.status.value,
        "status_reason": course.status_reason,
        "protocol_id": course.protocol.id,
        "protocol_version": course.protocol.version,
        "dosing_weight_kg": course.dosing_weight_kg,
        "dose_mg": course.dose.mg,
        "rate_mg_per_min": course.dose.rate_mg_per_min,
        "duration_minutes": course.dose.minutes,
        "first_session_at": course.first_session_at,
        "window_ends_at": course.window_ends_at,
        "planned_at": course.planned_at,
        "updated_at": at,
    }
    await _upsert(db, courses, courses.c.course_id, course.course_id, values)


async def save_sessions(db: AsyncSession, changed: Sequence[Session], *, at: datetime) -> None:
    for session in changed:
        values = {
            "course_id": session.course_id,
            "patient_id": session.patient_id,
            "session_number": session.session_number,
            "kind": session.kind.value,
            "status": session.status.value,
            "scheduled_for": session.scheduled_for,
            "dose_mg": session.dose_mg,
            "replaces_session_id": session.replaces_session_id,
            "baseline_vitals": (
                None if session.baseline_vitals is None else session.baseline_vitals.model_dump()
            ),
            "checked_in_at": session.checked_in_at,
            "ended_at": session.ended_at,
            "dose_given_mg": session.dose_given_mg,
            "serious_adverse_event": session.serious_adverse_event,
            "discharged_at": session.discharged_at,
            "open_alert_rules": ",".join(sorted(session.open_alert_rules)),
            "updated_at": at,
        }
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
    rows = await db.execute(
        select(history).where(history.c.patient_id == patient_id).order_by(history.c.id)
    )
    return [
        HistoryEntry(row["session_id"], row["at"], row["what"], dict(row["detail"]))
        for row in rows.mappings()
    ]


async def _upsert(db: AsyncSession, table: Table, key_column, key: str, values: dict) -> None:
    result = await db.execute(update(table).where(key_column == key).values(**values))
    if not result.rowcount:
        await db.execute(insert(table).values({key_column.name: key, **values}))


def _course(row: Any) -> Course:
    return Course(
        course_id=row["course_id"],
        patient_id=row["patient_id"],
        correlation_id=row["correlation_id"],
        status=CourseStatus(row["status"]),
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
        dosing_weight_kg=row["dosing_weight_kg"],
        dose=Dose(row["dose_mg"], row["rate_mg_per_min"], row["duration_minutes"]),
        first_session_at=row["first_session_at"],
        window_ends_at=row["window_ends_at"],
        planned_at=row["planned_at"],
        status_reason=row["status_reason"],
    )


def _session(row: Any) -> Session:
    vitals = row["baseline_vitals"]
    return Session(
        session_id=row["session_id"],
        course_id=row["course_id"],
        patient_id=row["patient_id"],
        session_number=row["session_number"],
        kind=SessionKind(row["kind"]),
        status=SessionStatus(row["status"]),
        scheduled_for=row["scheduled_for"],
        dose_mg=row["dose_mg"],
        replaces_session_id=row["replaces_session_id"],
        baseline_vitals=None if vitals is None else Vitals.model_validate(vitals),
        checked_in_at=row["checked_in_at"],
        ended_at=row["ended_at"],
        dose_given_mg=row["dose_given_mg"],
        serious_adverse_event=row["serious_adverse_event"],
        discharged_at=row["discharged_at"],
        open_alert_rules=_rules(row["open_alert_rules"]),
    )


def _rules(stored: str) -> frozenset[str]:
    return frozenset(rule for rule in stored.split(",") if rule)

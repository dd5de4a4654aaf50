"""Infusion's tables: courses, their sessions, and each session's history."""

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table

from carepath_runtime.columns import Id, UtcDateTime

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

"""Follow-up's tables, in a MetaData of their own (the migration creates the same)."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from carepath_runtime.columns import Id, UtcDateTime

metadata = MetaData()

pathways = Table(
    "followup_pathways",
    metadata,
    Column("patient_id", String(64), primary_key=True),
    Column("pathway_id", String(64), nullable=False),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", Integer, nullable=False),
    Column("baseline", JSON, nullable=False),
    Column("screened_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_infusion_at", UtcDateTime),
    Column("last_infusion_at", UtcDateTime),
    Column("course_id", String(64)),
    Column("course_completed_at", UtcDateTime),
    Column("maintenance_interval_days", Integer),
    Column("maintenance_reason", String(32)),
    Column("maintenance_series_length", Integer),
    Column("maintenance_given", Integer, nullable=False, server_default="0"),
    Column("course_suspended_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
)

assessments = Table(
    "followup_assessments",
    metadata,
    Column("assessment_id", String(64), primary_key=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("timepoint", String(32), nullable=False),
    Column("instruments", JSON, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("overdue_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("submitted_instruments", JSON, nullable=False),
    Column("submitted_at", UtcDateTime),
)

scores = Table(
    "followup_scores",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("assessment_id", String(64)),
    Column("timepoint", String(32)),
    Column("instrument", String(16), nullable=False),
    Column("score", JSON, nullable=False),
    # The item responses, item 1 first; NULL for submissions scored before they were kept.
    Column("items", JSON),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("change_from_baseline", Integer),
    Column("change_from_previous", Integer),
    Column("response", Boolean),
    Column("remission", Boolean),
    Column("scored_at", UtcDateTime, nullable=False),
)

therapy_sessions = Table(
    "followup_therapy_sessions",
    metadata,
    Column("therapy_session_id", String(64), primary_key=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("after_infusion_session_id", String(64), nullable=False),
    Column("modality", String(32), nullable=False),
    Column("earliest_at", UtcDateTime, nullable=False),
    Column("latest_at", UtcDateTime, nullable=False),
    Column("scheduled_for", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_at", UtcDateTime),
)

decisions = Table(
    "followup_decisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("decision_key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("data", JSON, nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    UniqueConstraint("patient_id", "decision_key", name="uq_followup_decisions_key"),
)

reviews = Table(
    "followup_reviews",
    metadata,
    Column("review_id", String(64), primary_key=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("pathway_id", String(64), nullable=False),
    Column("reason", String(48), nullable=False),
    Column("status", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("respond_by", UtcDateTime, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", Integer, nullable=False),
    Column("course_id", String(64)),
    Column("session_id", String(64)),
    Column("overdue_count", Integer, nullable=False),
    Column("outcome", String(32)),
    Column("maintenance_interval_days", Integer),
    Column("decided_by", String(64)),
    Column("decided_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Index("ix_followup_reviews_open", "status", "respond_by"),
)

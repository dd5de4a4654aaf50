"""Infusion tables: courses, sessions (with open alert episodes) and session history.

Revision ID: infusion_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "infusion_0001"
down_revision = None
branch_labels = ("infusion",)
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "infusion_courses",
        sa.Column("course_id", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False, unique=True),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.String(64), nullable=True),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.Integer, nullable=False),
        sa.Column("dosing_weight_kg", sa.Float, nullable=False),
        sa.Column("dose_mg", sa.Float, nullable=False),
        sa.Column("rate_mg_per_min", sa.Float, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("first_session_at", Moment, nullable=False),
        sa.Column("window_ends_at", Moment, nullable=False),
        sa.Column("planned_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
    )
    op.create_table(
        "infusion_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("course_id", sa.String(64), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("session_number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scheduled_for", Moment, nullable=False),
        sa.Column("dose_mg", sa.Float, nullable=False),
        sa.Column("replaces_session_id", sa.String(64), nullable=True),
        sa.Column("baseline_vitals", sa.JSON, nullable=True),
        sa.Column("checked_in_at", Moment, nullable=True),
        sa.Column("ended_at", Moment, nullable=True),
        sa.Column("dose_given_mg", sa.Float, nullable=True),
        sa.Column("serious_adverse_event", sa.Boolean, nullable=False),
        sa.Column("discharged_at", Moment, nullable=True),
        sa.Column("open_alert_rules", sa.String(200), nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
    )
    op.create_index("ix_infusion_sessions_course_id", "infusion_sessions", ["course_id"])
    op.create_table(
        "infusion_session_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("at", Moment, nullable=False),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_infusion_session_history_patient", "infusion_session_history", ["patient_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("infusion_session_history")
    op.drop_table("infusion_sessions")
    op.drop_table("infusion_courses")

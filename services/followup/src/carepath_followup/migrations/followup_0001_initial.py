"""Follow-up tables: pathways, assessments, scores, therapy sessions, decisions.

Revision ID: followup_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "followup_0001"
down_revision = None
branch_labels = ("followup",)
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "followup_pathways",
        sa.Column("patient_id", sa.String(64), primary_key=True),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.Integer, nullable=False),
        sa.Column("baseline", sa.JSON, nullable=False),
        sa.Column("screened_at", Moment, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_infusion_at", Moment),
        sa.Column("last_infusion_at", Moment),
        sa.Column("course_id", sa.String(64)),
        sa.Column("course_completed_at", Moment),
        sa.Column("maintenance_interval_days", sa.Integer),
        sa.Column("maintenance_reason", sa.String(32)),
        sa.Column("closed_at", Moment),
    )
    op.create_table(
        "followup_assessments",
        sa.Column("assessment_id", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("timepoint", sa.String(32), nullable=False),
        sa.Column("instruments", sa.JSON, nullable=False),
        sa.Column("due_at", Moment, nullable=False),
        sa.Column("overdue_at", Moment, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_instruments", sa.JSON, nullable=False),
        sa.Column("submitted_at", Moment),
    )
    op.create_index("ix_followup_assessments_patient_id", "followup_assessments", ["patient_id"])
    op.create_table(
        "followup_scores",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("assessment_id", sa.String(64)),
        sa.Column("timepoint", sa.String(32)),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("score", sa.JSON, nullable=False),
        sa.Column("submitted_at", Moment, nullable=False),
        sa.Column("change_from_baseline", sa.Integer),
        sa.Column("change_from_previous", sa.Integer),
        sa.Column("response", sa.Boolean),
        sa.Column("remission", sa.Boolean),
        sa.Column("scored_at", Moment, nullable=False),
    )
    op.create_index("ix_followup_scores_patient_id", "followup_scores", ["patient_id"])
    op.create_table(
        "followup_therapy_sessions",
        sa.Column("therapy_session_id", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("after_infusion_session_id", sa.String(64), nullable=False),
        sa.Column("modality", sa.String(32), nullable=False),
        sa.Column("earliest_at", Moment, nullable=False),
        sa.Column("latest_at", Moment, nullable=False),
        sa.Column("scheduled_for", Moment, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", Moment),
    )
    op.create_index(
        "ix_followup_therapy_sessions_patient_id", "followup_therapy_sessions", ["patient_id"]
    )
    op.create_table(
        "followup_decisions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("decision_key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("decided_at", Moment, nullable=False),
        sa.UniqueConstraint("patient_id", "decision_key", name="uq_followup_decisions_key"),
    )
    op.create_index("ix_followup_decisions_patient_id", "followup_decisions", ["patient_id"])


def downgrade() -> None:
    op.drop_table("followup_decisions")
    op.drop_table("followup_therapy_sessions")
    op.drop_table("followup_scores")
    op.drop_table("followup_assessments")
    op.drop_table("followup_pathways")

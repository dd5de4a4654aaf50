"""Clinical reviews, and the pathway's maintenance series and course suspension.

Revision ID: followup_0002
Revises: followup_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "followup_0002"
down_revision = "followup_0001"
branch_labels = None
depends_on = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("followup_pathways") as table:
        table.add_column(sa.Column("maintenance_series_length", sa.Integer))
        table.add_column(
            sa.Column("maintenance_given", sa.Integer, nullable=False, server_default="0")
        )
        table.add_column(sa.Column("course_suspended_at", Moment))
    op.create_table(
        "followup_reviews",
        sa.Column("review_id", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(48), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("respond_by", Moment, nullable=False),
        sa.Column("opened_at", Moment, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.Integer, nullable=False),
        sa.Column("course_id", sa.String(64)),
        sa.Column("session_id", sa.String(64)),
        sa.Column("overdue_count", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(32)),
        sa.Column("maintenance_interval_days", sa.Integer),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", Moment),
        sa.Column("resolved_at", Moment),
    )
    op.create_index("ix_followup_reviews_patient_id", "followup_reviews", ["patient_id"])
    op.create_index("ix_followup_reviews_open", "followup_reviews", ["status", "respond_by"])


def downgrade() -> None:
    op.drop_table("followup_reviews")
    with op.batch_alter_table("followup_pathways") as table:
        table.drop_column("course_suspended_at")
        table.drop_column("maintenance_given")
        table.drop_column("maintenance_series_length")

"""Probe service table: what the probe handler has seen.

Revision ID: probe_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "probe_0001"
down_revision = None
branch_labels = ("probe",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "probe_handled",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("probe_handled")

"""A timer keeps the traceparent of the span that set it, so its firing continues that trace.

Revision ID: runtime_0004
Revises: runtime_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "runtime_0004"
down_revision = "runtime_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Timers set before (or with tracing off) have none: their firing starts a new trace.
    with op.batch_alter_table("runtime_timers") as table:
        table.add_column(sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runtime_timers") as table:
        table.drop_column("traceparent")

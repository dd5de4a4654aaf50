"""The inbox keeps a hash of each processed event's content (an id reused is a conflict).

Revision ID: runtime_0003
Revises: runtime_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "runtime_0003"
down_revision = "runtime_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows processed before have none: their events count as repeats, as before.
    with op.batch_alter_table("runtime_inbox") as table:
        table.add_column(sa.Column("content_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runtime_inbox") as table:
        table.drop_column("content_hash")

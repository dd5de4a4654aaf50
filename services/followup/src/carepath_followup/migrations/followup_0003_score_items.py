"""The item responses of each scored submission (item numbers by position, scores 0-4).

Revision ID: followup_0003
Revises: followup_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "followup_0003"
down_revision = "followup_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: submissions scored before this revision kept no items.
    with op.batch_alter_table("followup_scores") as table:
        table.add_column(sa.Column("items", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("followup_scores") as table:
        table.drop_column("items")

"""Runtime tables: inbox, outbox, timers.

Revision ID: runtime_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "runtime_0001"
down_revision = None
branch_labels = ("runtime",)
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runtime_inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("processed_at", Moment, nullable=False),
    )
    op.create_index("ix_runtime_inbox_processed_at", "runtime_inbox", ["processed_at"])
    op.create_table(
        "runtime_outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("key", sa.LargeBinary, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("published_at", Moment, nullable=True),
    )
    op.create_index("ix_runtime_outbox_unsent", "runtime_outbox", ["published_at", "id"])
    op.create_table(
        "runtime_timers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("timer_key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("caused_by_event_id", sa.String(64), nullable=True),
        sa.Column("due_at", Moment, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("fired_at", Moment, nullable=True),
        sa.Column("cancelled_at", Moment, nullable=True),
    )
    op.create_index("ix_runtime_timers_patient_id", "runtime_timers", ["patient_id"])
    op.create_index(
        "ix_runtime_timers_pending", "runtime_timers", ["fired_at", "cancelled_at", "due_at"]
    )


def downgrade() -> None:
    op.drop_table("runtime_timers")
    op.drop_table("runtime_outbox")
    op.drop_table("runtime_inbox")

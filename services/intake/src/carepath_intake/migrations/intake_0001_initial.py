"""Intake tables: patients, their personal details, and their screenings.

Revision ID: intake_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0001"
down_revision = None
branch_labels = ("intake",)
depends_on = None

Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intake_patients",
        sa.Column("patient_id", sa.String(64), primary_key=True),
        sa.Column("pathway_id", sa.String(64), nullable=False, unique=True),
        sa.Column("external_referral_id", sa.String(64), nullable=False, unique=True),
        sa.Column("responder_role", sa.String(32), nullable=False),
        sa.Column("referral_source", sa.String(64), nullable=False),
        sa.Column("received_at", Moment, nullable=False),
        sa.Column("accepted_at", Moment, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("withdrawal_reason", sa.String(32), nullable=True),
        sa.Column("withdrawn_at", Moment, nullable=True),
        sa.Column("status_before_withdrawal", sa.String(32), nullable=True),
    )
    op.create_table(
        "intake_personal_details",
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("intake_patients.patient_id"),
            primary_key=True,
        ),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date, nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("recorded_at", Moment, nullable=False),
    )
    op.create_table(
        "intake_screenings",
        sa.Column(
            "patient_id",
            sa.String(64),
            sa.ForeignKey("intake_patients.patient_id"),
            primary_key=True,
        ),
        sa.Column("form", sa.JSON, nullable=False),
        sa.Column("age_years", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("baseline_pcl5", sa.JSON, nullable=False),
        sa.Column("bmi", sa.Float, nullable=True),
        sa.Column("dosing_weight_kg", sa.Float, nullable=True),
        sa.Column("dosing_weight_basis", sa.String(32), nullable=True),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.Integer, nullable=False),
        sa.Column("screened_at", Moment, nullable=False),
        sa.Column("review_decision", sa.String(32), nullable=True),
        sa.Column("review_reason", sa.String(64), nullable=True),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("review_decided_at", Moment, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("intake_screenings")
    op.drop_table("intake_personal_details")
    op.drop_table("intake_patients")

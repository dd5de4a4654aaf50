"""Intake's tables: the patient's record, their personal details and their screening."""

from sqlalchemy import JSON, Column, Date, Float, ForeignKey, Integer, MetaData, String, Table

from carepath_runtime.columns import UtcDateTime

metadata = MetaData()

patients = Table(
    "intake_patients",
    metadata,
    Column("patient_id", String(64), primary_key=True),
    Column("pathway_id", String(64), nullable=False, unique=True),
    Column("external_referral_id", String(64), nullable=False, unique=True),
    Column("responder_role", String(32), nullable=False),
    Column("referral_source", String(64), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime, nullable=False),
    Column("status", String(32), nullable=False),
    Column("withdrawal_reason", String(32), nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    Column("status_before_withdrawal", String(32), nullable=True),
)

personal_details = Table(
    "intake_personal_details",
    metadata,
    Column("patient_id", String(64), ForeignKey("intake_patients.patient_id"), primary_key=True),
    Column("given_name", String(200), nullable=False),
    Column("family_name", String(200), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("phone", String(40), nullable=False),
    Column("email", String(254), nullable=False),
    Column("agency", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

screenings = Table(
    "intake_screenings",
    metadata,
    Column("patient_id", String(64), ForeignKey("intake_patients.patient_id"), primary_key=True),
    Column("form", JSON, nullable=False),
    Column("age_years", Integer, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("findings", JSON, nullable=False),
    Column("baseline_pcl5", JSON, nullable=False),
    Column("bmi", Float, nullable=True),
    Column("dosing_weight_kg", Float, nullable=True),
    Column("dosing_weight_basis", String(32), nullable=True),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", Integer, nullable=False),
    Column("screened_at", UtcDateTime, nullable=False),
    Column("review_decision", String(32), nullable=True),
    Column("review_reason", String(64), nullable=True),
    Column("reviewed_by", String(64), nullable=True),
    Column("review_decided_at", UtcDateTime, nullable=True),
)

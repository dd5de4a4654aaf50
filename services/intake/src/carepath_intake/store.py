"""Intake's own tables and queries. The only place personal details are kept in Carepath."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import (
    DosingWeightBasis,
    Pcl5Score,
    ProtocolRef,
    ReferralSource,
    ResponderRole,
    ReviewDecision,
    ReviewReason,
    ScreeningOutcome,
    ScreeningReason,
    ScreeningSubmitted,
    WithdrawalReason,
)
from carepath_intake.domain import (
    DosingWeight,
    Finding,
    FindingKind,
    Patient,
    PatientStatus,
    Referral,
    Review,
    Screening,
    ScreeningResult,
    Withdrawal,
)
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


@dataclass(frozen=True, slots=True)
class PersonalDetails:
    """Who the patient is. Never leaves intake's database except to a clinician over HTTP."""

    given_name: str
    family_name: str
    date_of_birth: date
    phone: str
    email: str
    agency: str


async def patient(session: AsyncSession, patient_id: str, *, lock: bool = True) -> Patient | None:
    """The patient's record; `lock` holds its row for this transaction (PostgreSQL)."""
    screening_columns = [column for column in screenings.c if column.name != "patient_id"]
    query = (
        select(patients, *screening_columns)
        .outerjoin(screenings, screenings.c.patient_id == patients.c.patient_id)
        .where(patients.c.patient_id == patient_id)
    )
    if lock:
        query = query.with_for_update(of=patients)
    row = (await session.execute(query)).mappings().first()
    return _patient(row) if row else None


async def patient_by_external_referral(
    session: AsyncSession, external_referral_id: str
) -> Patient | None:
    found = await session.scalar(
        select(patients.c.patient_id).where(patients.c.external_referral_id == external_referral_id)
    )
    return await patient(session, found) if found else None


async def patient_holding_ids(
    session: AsyncSession, patient_id: str, pathway_id: str
) -> Patient | None:
    """A patient that already holds this patient id or this pathway id."""
    found = await session.scalar(
        select(patients.c.patient_id).where(
            or_(patients.c.patient_id == patient_id, patients.c.pathway_id == pathway_id)
        )
    )
    return await patient(session, found) if found else None


async def add_patient(session: AsyncSession, new: Patient) -> None:
    referral = new.referral
    await session.execute(
        insert(patients).values(
            patient_id=new.patient_id,
            pathway_id=new.pathway_id,
            external_referral_id=referral.external_referral_id,
            responder_role=referral.responder_role,
            referral_source=referral.referral_source,
            received_at=referral.received_at,
            accepted_at=new.accepted_at,
            status=new.status,
        )
    )


async def save_patient(session: AsyncSession, changed: Patient) -> None:
    """Store a patient's status, screening, review and withdrawal as the domain left them."""
    withdrawal = changed.withdrawal
    await session.execute(
        update(patients)
        .where(patients.c.patient_id == changed.patient_id)
        .values(
            status=changed.status,
            withdrawal_reason=withdrawal.reason_code if withdrawal else None,
            withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
            status_before_withdrawal=withdrawal.status_before if withdrawal else None,
        )
    )
    if changed.screening is None:
        return
    values = _screening_values(changed.screening, changed.review)
    exists = await session.scalar(
        select(screenings.c.patient_id).where(screenings.c.patient_id == changed.patient_id)
    )
    if exists is None:
        await session.execute(insert(screenings).values(patient_id=changed.patient_id, **values))
    else:
        await session.execute(
            update(screenings).where(screenings.c.patient_id == changed.patient_id).values(**values)
        )


async def personal_details_of(session: AsyncSession, patient_id: str) -> PersonalDetails | None:
    row = (
        (
            await session.execute(
                select(personal_details).where(personal_details.c.patient_id == patient_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return PersonalDetails(
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=row["date_of_birth"],
        phone=row["phone"],
        email=row["email"],
        agency=row["agency"],
    )


async def add_personal_details(
    session: AsyncSession, patient_id: str, details: PersonalDetails, *, at: datetime
) -> None:
    await session.execute(
        insert(personal_details).values(
            patient_id=patient_id,
            given_name=details.given_name,
            family_name=details.family_name,
            date_of_birth=details.date_of_birth,
            phone=details.phone,
            email=details.email,
            agency=details.agency,
            recorded_at=at,
        )
    )


async def date_of_birth(session: AsyncSession, patient_id: str) -> date | None:
    return await session.scalar(
        select(personal_details.c.date_of_birth).where(personal_details.c.patient_id == patient_id)
    )


def _screening_values(screening: Screening, review: Review | None) -> dict[str, Any]:
    result = screening.result
    weight = result.dosing_weight
    return {
        "form": screening.form.model_dump(mode="json"),
        "age_years": screening.age_years,
        "outcome": result.outcome,
        "findings": [{"code": f.code, "kind": f.kind, "detail": f.detail} for f in result.findings],
        "baseline_pcl5": result.baseline_pcl5.model_dump(mode="json"),
        "bmi": result.bmi,
        "dosing_weight_kg": weight.kg if weight else None,
        "dosing_weight_basis": weight.basis if weight else None,
        "protocol_id": result.protocol.id,
        "protocol_version": result.protocol.version,
        "screened_at": screening.screened_at,
        "review_decision": review.decision if review else None,
        "review_reason": review.reason_code if review else None,
        "reviewed_by": review.clinician_id if review else None,
        "review_decided_at": review.decided_at if review else None,
    }


def _patient(row: Any) -> Patient:
    return Patient(
        patient_id=row["patient_id"],
        pathway_id=row["pathway_id"],
        referral=Referral(
            external_referral_id=row["external_referral_id"],
            responder_role=ResponderRole(row["responder_role"]),
            referral_source=ReferralSource(row["referral_source"]),
            received_at=row["received_at"],
        ),
        accepted_at=row["accepted_at"],
        status=PatientStatus(row["status"]),
        screening=_screening(row) if row["screened_at"] is not None else None,
        review=_review(row) if row["review_decision"] is not None else None,
        withdrawal=_withdrawal(row) if row["withdrawn_at"] is not None else None,
    )


def _screening(row: Any) -> Screening:
    basis = row["dosing_weight_basis"]
    result = ScreeningResult(
        outcome=ScreeningOutcome(row["outcome"]),
        findings=tuple(
            Finding(ScreeningReason(f["code"]), FindingKind(f["kind"]), f["detail"])
            for f in row["findings"]
        ),
        baseline_pcl5=Pcl5Score.model_validate(row["baseline_pcl5"]),
        bmi=row["bmi"],
        dosing_weight=DosingWeight(row["dosing_weight_kg"], DosingWeightBasis(basis))
        if basis
        else None,
        protocol=ProtocolRef(id=row["protocol_id"], version=row["protocol_version"]),
    )
    return Screening(
        form=ScreeningSubmitted.model_validate(row["form"]),
        result=result,
        age_years=row["age_years"],
        screened_at=row["screened_at"],
    )


def _review(row: Any) -> Review:
    return Review(
        decision=ReviewDecision(row["review_decision"]),
        reason_code=ReviewReason(row["review_reason"]),
        clinician_id=row["reviewed_by"],
        decided_at=row["review_decided_at"],
    )


def _withdrawal(row: Any) -> Withdrawal:
    return Withdrawal(
        reason_code=WithdrawalReason(row["withdrawal_reason"]),
        withdrawn_at=row["withdrawn_at"],
        status_before=PatientStatus(row["status_before_withdrawal"]),
    )

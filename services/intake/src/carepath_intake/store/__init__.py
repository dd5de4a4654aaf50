"""Intake's queries. The only place personal details are kept in Carepath."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_intake.domain import Patient
from carepath_intake.store import rows
from carepath_intake.store.tables import metadata, patients, personal_details, screenings

__all__ = ["metadata"]


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
    return rows.patient(row) if row else None


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
    values = rows.screening_row(changed.screening, changed.review)
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

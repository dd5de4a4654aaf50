"""Queries of the clinical reviews: a patient's open ones, one by id, the clinicians' list."""

from collections.abc import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import ReviewTrigger, Urgency
from carepath_followup.domain import Review, ReviewStatus
from carepath_followup.store import rows
from carepath_followup.store.tables import reviews


async def open_reviews(session: AsyncSession, patient_id: str) -> dict[ReviewTrigger, Review]:
    """The patient's open reviews by trigger (at most one each)."""
    result = await session.execute(
        select(reviews)
        .where(reviews.c.patient_id == patient_id)
        .where(reviews.c.status == ReviewStatus.OPEN)
    )
    found = [rows.review(row) for row in result.mappings()]
    return {review.reason: review for review in found}


async def review(session: AsyncSession, review_id: str) -> Review | None:
    row = (await session.execute(select(reviews).where(reviews.c.review_id == review_id))).first()
    return rows.review(row._mapping) if row else None


async def save_reviews(session: AsyncSession, values: Iterable[Review]) -> None:
    """Insert a new review, update a known one."""
    for value in values:
        row = rows.review_row(value)
        updated = await session.execute(
            update(reviews).where(reviews.c.review_id == value.review_id).values(**row)
        )
        if not updated.rowcount:
            await session.execute(insert(reviews).values(**row))


async def waiting_reviews(
    session: AsyncSession, *, urgency: Urgency | None = None, limit: int = 100
) -> list[Review]:
    """Open reviews, the soonest respond-by first (what a clinician should answer next)."""
    query = select(reviews).where(reviews.c.status == ReviewStatus.OPEN)
    if urgency is not None:
        query = query.where(reviews.c.urgency == urgency)
    query = query.order_by(reviews.c.respond_by, reviews.c.review_id).limit(limit)
    return [rows.review(row) for row in (await session.execute(query)).mappings()]


async def patient_reviews(session: AsyncSession, patient_id: str) -> list[Review]:
    result = await session.execute(
        select(reviews)
        .where(reviews.c.patient_id == patient_id)
        .order_by(reviews.c.opened_at, reviews.c.review_id)
    )
    return [rows.review(row) for row in result.mappings()]

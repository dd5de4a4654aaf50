"""Follow-up's own database: pathways, assessments, scores, therapy sessions, decisions."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carepath_followup.domain import (
    Assessment,
    AssessmentStatus,
    ClinicalDecision,
    Pathway,
    ScoredAssessment,
    TherapySession,
)
from carepath_followup.store import rows
from carepath_followup.store.tables import (
    assessments,
    decisions,
    metadata,
    pathways,
    scores,
    therapy_sessions,
)

__all__ = ["metadata"]


async def pathway(
    session: AsyncSession, patient_id: str, *, for_update: bool = False
) -> Pathway | None:
    """The patient's pathway (None if follow-up never saw an eligible screening).

    `for_update` locks the row on PostgreSQL so the consumer and the timer scheduler never
    interleave changes to one patient (SQLite's BEGIN IMMEDIATE already serialises writers).
    """
    query = select(pathways).where(pathways.c.patient_id == patient_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return rows.pathway(row._mapping) if row else None


async def add_pathway(session: AsyncSession, value: Pathway) -> None:
    await session.execute(
        insert(pathways).values(patient_id=value.patient_id, **rows.pathway_row(value))
    )


async def save_pathway(session: AsyncSession, value: Pathway) -> None:
    await session.execute(
        update(pathways)
        .where(pathways.c.patient_id == value.patient_id)
        .values(**rows.pathway_row(value))
    )


async def add_assessment(session: AsyncSession, value: Assessment) -> None:
    await session.execute(
        insert(assessments).values(assessment_id=value.assessment_id, **rows.assessment_row(value))
    )


async def save_assessment(session: AsyncSession, value: Assessment) -> None:
    await session.execute(
        update(assessments)
        .where(assessments.c.assessment_id == value.assessment_id)
        .values(**rows.assessment_row(value))
    )


async def assessment(session: AsyncSession, assessment_id: str) -> Assessment | None:
    query = select(assessments).where(assessments.c.assessment_id == assessment_id)
    row = (await session.execute(query)).first()
    return rows.assessment(row._mapping) if row else None


async def patient_assessments(session: AsyncSession, patient_id: str) -> list[Assessment]:
    result = await session.execute(
        select(assessments)
        .where(assessments.c.patient_id == patient_id)
        .order_by(assessments.c.due_at, assessments.c.assessment_id)
    )
    return [rows.assessment(row) for row in result.mappings()]


async def open_assessments(session: AsyncSession, patient_id: str) -> list[Assessment]:
    """Assessments still waiting for the patient (scheduled or due)."""
    result = await session.execute(
        select(assessments)
        .where(assessments.c.patient_id == patient_id)
        .where(assessments.c.status.in_([AssessmentStatus.SCHEDULED, AssessmentStatus.DUE]))
    )
    return [rows.assessment(row) for row in result.mappings()]


async def cancel_open_assessments(session: AsyncSession, patient_id: str) -> int:
    """Assessments not yet answered will never be asked for (the patient left the pathway)."""
    result = await session.execute(
        update(assessments)
        .where(assessments.c.patient_id == patient_id)
        .where(assessments.c.status.in_([AssessmentStatus.SCHEDULED, AssessmentStatus.DUE]))
        .values(status=AssessmentStatus.CANCELLED)
    )
    return result.rowcount or 0


async def add_score(session: AsyncSession, value: ScoredAssessment, *, at: datetime) -> None:
    await session.execute(
        insert(scores).values(
            event_id=value.event_id,
            patient_id=value.patient_id,
            assessment_id=value.assessment_id,
            timepoint=value.timepoint,
            instrument=value.instrument,
            score=value.score.model_dump(mode="json"),
            items=list(value.items),
            submitted_at=value.submitted_at,
            change_from_baseline=value.change_from_baseline,
            change_from_previous=value.change_from_previous,
            response=value.response,
            remission=value.remission,
            scored_at=at,
        )
    )


async def patient_scores(session: AsyncSession, patient_id: str) -> list[ScoredAssessment]:
    """Every score of the patient in the order they were scored, oldest first."""
    result = await session.execute(
        select(scores).where(scores.c.patient_id == patient_id).order_by(scores.c.id)
    )
    return [rows.scored(row) for row in result.mappings()]


async def therapy_session(session: AsyncSession, therapy_session_id: str) -> TherapySession | None:
    query = select(therapy_sessions).where(
        therapy_sessions.c.therapy_session_id == therapy_session_id
    )
    row = (await session.execute(query)).first()
    return rows.therapy(row._mapping) if row else None


async def add_therapy_session(session: AsyncSession, value: TherapySession) -> None:
    await session.execute(insert(therapy_sessions).values(**rows.therapy_row(value)))


async def save_therapy_session(session: AsyncSession, value: TherapySession) -> None:
    await session.execute(
        update(therapy_sessions)
        .where(therapy_sessions.c.therapy_session_id == value.therapy_session_id)
        .values(**rows.therapy_row(value))
    )


async def patient_therapy_sessions(session: AsyncSession, patient_id: str) -> list[TherapySession]:
    result = await session.execute(
        select(therapy_sessions)
        .where(therapy_sessions.c.patient_id == patient_id)
        .order_by(therapy_sessions.c.scheduled_for)
    )
    return [rows.therapy(row) for row in result.mappings()]


async def record_decision(
    session: AsyncSession, patient_id: str, decision: ClinicalDecision, *, at: datetime
) -> bool:
    """Records a decision once; False when one with the same key was already taken."""
    taken = await session.execute(
        select(decisions.c.id)
        .where(decisions.c.patient_id == patient_id)
        .where(decisions.c.decision_key == decision.key)
    )
    if taken.first() is not None:
        return False
    await session.execute(
        insert(decisions).values(
            patient_id=patient_id,
            decision_key=decision.key,
            event_type=decision.data.event_type,
            data=decision.data.model_dump(mode="json"),
            decided_at=at,
        )
    )
    return True


async def patient_decisions(session: AsyncSession, patient_id: str) -> list[dict[str, Any]]:
    result = await session.execute(
        select(decisions.c.event_type, decisions.c.data, decisions.c.decided_at)
        .where(decisions.c.patient_id == patient_id)
        .order_by(decisions.c.id)
    )
    return [dict(row) for row in result.mappings()]

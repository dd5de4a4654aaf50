"""Clinicians' HTTP routes for reviews: what is waiting (soonest respond-by first), one
review, and recording an outcome. The acting clinician is the caller, never a form field."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from carepath_contracts import ProtocolCatalogue, ReviewOutcome, Urgency
from carepath_contracts.values import IDENTIFIER_PATTERN
from carepath_followup import domain
from carepath_followup.reviewing import record_outcome
from carepath_followup.settings import FollowupSettings
from carepath_followup.store import reviews as review_store
from carepath_followup.views import ReviewView
from carepath_runtime.access import FORM_BODY_LIMIT, AccessTable, allow
from carepath_runtime.auth import CurrentCaller
from carepath_runtime.openapi import CONFLICT, NOT_FOUND
from carepath_runtime.service import ServiceRuntime

REVIEW_ACCESS: AccessTable = {
    "GET /v1/reviews": allow("clinician"),
    "GET /v1/reviews/{review_id}": allow("clinician"),
    "POST /v1/reviews/{review_id}/outcome": allow("clinician", body_limit=FORM_BODY_LIMIT),
}
"""Clinicians only: the list names patients' reviews, an outcome changes their pathway."""

ReviewIdPath = Annotated[str, Path(pattern=IDENTIFIER_PATTERN, description="Review id.")]


class OutcomeForm(BaseModel):
    """A clinician's outcome: codes only (no notes, no personal details)."""

    model_config = ConfigDict(extra="forbid")

    outcome: ReviewOutcome
    maintenance_interval_days: int | None = Field(
        default=None,
        ge=1,
        le=90,
        description="For start_maintenance: days between infusions (the protocol's range; "
        "its stable interval when absent).",
    )


def reviews_router(
    runtime: ServiceRuntime, protocols: ProtocolCatalogue, settings: FollowupSettings
) -> APIRouter:
    api = APIRouter(prefix="/v1/reviews", tags=["reviews"])

    @api.get("", response_model=list[ReviewView])
    async def list_open_reviews(
        urgency: Urgency | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[ReviewView]:
        """Open reviews, the soonest respond-by first; `urgency` narrows to one urgency."""
        async with runtime.read_sessions() as session:
            waiting = await review_store.waiting_reviews(session, urgency=urgency, limit=limit)
        return [ReviewView.of(review) for review in waiting]

    @api.get("/{review_id}", response_model=ReviewView, responses=NOT_FOUND)
    async def get_review(review_id: ReviewIdPath) -> ReviewView:
        async with runtime.read_sessions() as session:
            review = await review_store.review(session, review_id)
        if review is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no review {review_id}")
        return ReviewView.of(review)

    @api.post("/{review_id}/outcome", response_model=ReviewView, responses=NOT_FOUND | CONFLICT)
    async def post_outcome(
        review_id: ReviewIdPath, form: OutcomeForm, caller: CurrentCaller
    ) -> ReviewView:
        """Resolve the review: 404 for an unknown one, 409 when the pathway forbids it. The
        acting clinician is the caller's subject, never a form field."""
        async with runtime.read_sessions() as session:
            known = await review_store.review(session, review_id)
        if known is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no review {review_id}")
        try:
            async with runtime.unit_of_work() as unit:
                decision = domain.OutcomeDecision(
                    form.outcome,
                    caller.subject,
                    unit.now(),
                    form.maintenance_interval_days,
                )
                resolved = await record_outcome(unit, None, review_id, decision, protocols)
        except domain.PathwayRuleError as refusal:
            raise HTTPException(status.HTTP_409_CONFLICT, str(refusal)) from refusal
        return ReviewView.of(resolved)

    return api

"""Follow-up's part of the FHIR view, from follow-up's own tables: the follow-up CarePlan
(assessments, therapy sessions after each infusion, the maintenance recommendation), each
scored submission as a QuestionnaireResponse (item numbers and scores) and an Observation
(total, subscales, change from baseline and previous, response, remission), clinical reviews
as Tasks and the pathway's outcome as an Observation.

Therapy sessions are CarePlan activities, not Appointments: follow-up knows when a session is
booked but not when it ends, and a booked Appointment needs both."""

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import PathwayCompleted, Timepoint, Urgency
from carepath_followup import domain, store
from carepath_followup.store import reviews as review_store
from carepath_runtime.fhir import (
    Resource,
    carepath_coding,
    carepath_concept,
    fhir_id,
    identifier,
    instant,
    patient_reference,
    questionnaire_response,
    reference,
    score_observation,
)
from carepath_runtime.fhir.scores import TIMEPOINT_EXTENSION

PLAN_STATUS = {
    domain.PathwayStatus.ACTIVE: "active",
    domain.PathwayStatus.COMPLETED: "completed",
    domain.PathwayStatus.WITHDRAWN: "revoked",
}
ASSESSMENT_STATUS = {
    domain.AssessmentStatus.SCHEDULED: "scheduled",
    domain.AssessmentStatus.DUE: "not-started",
    domain.AssessmentStatus.OVERDUE: "not-started",
    domain.AssessmentStatus.SUBMITTED: "completed",
    domain.AssessmentStatus.CANCELLED: "cancelled",
}
THERAPY_STATUS = {
    domain.TherapyStatus.SCHEDULED: "scheduled",
    domain.TherapyStatus.ATTENDED: "completed",
    domain.TherapyStatus.MISSED: "cancelled",
}
# FHIR's request priorities in rising order are routine, urgent, asap, stat.
REVIEW_PRIORITY = {
    Urgency.ROUTINE: "routine",
    Urgency.SOON: "urgent",
    Urgency.URGENT: "asap",
    Urgency.IMMEDIATE: "stat",
}


async def read_resources(session: AsyncSession, patient_id: str) -> list[Resource] | None:
    pathway = await store.pathway(session, patient_id)
    if pathway is None:
        return None
    return pathway_resources(
        pathway,
        scores=await store.patient_scores(session, patient_id),
        assessments=await store.patient_assessments(session, patient_id),
        therapy=await store.patient_therapy_sessions(session, patient_id),
        reviews=await review_store.patient_reviews(session, patient_id),
        decisions=await store.patient_decisions(session, patient_id),
    )


def pathway_resources(
    pathway: domain.Pathway,
    *,
    scores: list[domain.ScoredAssessment],
    assessments: list[domain.Assessment],
    therapy: list[domain.TherapySession],
    reviews: list[domain.Review],
    decisions: list[dict[str, Any]],
) -> list[Resource]:
    scored: list[Resource] = []
    outcomes: dict[str, list[Resource]] = defaultdict(list)
    for found in scores:
        resources = _scored(pathway.patient_id, found)
        scored += resources
        if found.assessment_id:
            outcomes[found.assessment_id].append(resources[-1])
    plan = _care_plan(pathway, assessments, therapy, outcomes)
    tasks = [_review(plan, review) for review in reviews]
    return [plan, *scored, *tasks, *_pathway_outcome(pathway, decisions)]


def _care_plan(
    pathway: domain.Pathway,
    assessments: list[domain.Assessment],
    therapy: list[domain.TherapySession],
    outcomes: dict[str, list[Resource]],
) -> Resource:
    period = {"start": instant(pathway.screened_at)}
    if pathway.closed_at is not None:
        period["end"] = instant(pathway.closed_at)
    activities = [_assessment(found, outcomes[found.assessment_id]) for found in assessments]
    activities += [{"detail": _therapy(session)} for session in therapy]
    if pathway.maintenance_interval_days is not None:
        activities.append({"detail": _maintenance(pathway)})
    plan: Resource = {
        "resourceType": "CarePlan",
        "id": fhir_id("follow-up", pathway.patient_id),
        "identifier": [identifier("pathway-id", pathway.pathway_id)],
        "status": PLAN_STATUS[pathway.status],
        "intent": "plan",
        "category": [carepath_concept("pathway", "follow-up")],
        "subject": patient_reference(pathway.patient_id),
        "period": period,
    }
    if activities:
        plan["activity"] = activities
    return plan


def _assessment(found: domain.Assessment, outcomes: list[Resource]) -> Resource:
    detail = {
        "extension": [_timepoint_extension(found.timepoint)],
        "kind": "Task",
        "code": carepath_concept("pathway", "assessment"),
        "status": ASSESSMENT_STATUS[found.status],
        "scheduledPeriod": {"start": instant(found.due_at), "end": instant(found.overdue_at)},
        "description": ", ".join(instrument.value for instrument in found.instruments),
    }
    activity: Resource = {"detail": detail}
    if outcomes:
        activity["outcomeReference"] = [reference(outcome) for outcome in outcomes]
    return activity


def _therapy(session: domain.TherapySession) -> Resource:
    return {
        "kind": "Appointment",
        "code": carepath_concept("therapy-modality", session.modality),
        "status": THERAPY_STATUS[session.status],
        "scheduledPeriod": {"start": instant(session.scheduled_for)},
        "description": f"after infusion session {session.after_infusion_session_id}",
    }


def _maintenance(pathway: domain.Pathway) -> Resource:
    repeat: Resource = {
        "frequency": 1,
        "period": pathway.maintenance_interval_days,
        "periodUnit": "d",
    }
    if pathway.maintenance_series_length:
        repeat["count"] = pathway.maintenance_series_length
    detail: Resource = {
        "kind": "MedicationRequest",
        "code": carepath_concept("pathway", "maintenance-infusion"),
        "status": "in-progress" if pathway.status is domain.PathwayStatus.ACTIVE else "stopped",
        "scheduledTiming": {"repeat": repeat},
        "productCodeableConcept": carepath_concept("pathway", "racemic-ketamine"),
    }
    if pathway.maintenance_reason is not None:
        detail["reasonCode"] = [carepath_concept("maintenance-reason", pathway.maintenance_reason)]
    return detail


def _scored(patient_id: str, found: domain.ScoredAssessment) -> list[Resource]:
    """The response (when its items were kept) and the score derived from it."""
    response = None
    if found.items:
        response = questionnaire_response(
            resource_id=fhir_id("answers", found.event_id),
            instrument=found.instrument,
            items=found.items,
            patient_id=patient_id,
            authored=found.submitted_at,
            timepoint=found.timepoint,
        )
    score = score_observation(
        resource_id=fhir_id("score", found.event_id),
        score=found.score,
        patient_id=patient_id,
        effective=found.submitted_at,
        timepoint=found.timepoint,
        derived_from=response,
        comparisons={
            "change-from-baseline": found.change_from_baseline,
            "change-from-previous": found.change_from_previous,
            "response": found.response,
            "remission": found.remission,
        },
    )
    return [response, score] if response else [score]


def _review(plan: Resource, review: domain.Review) -> Resource:
    task: Resource = {
        "resourceType": "Task",
        "id": fhir_id("review", review.review_id),
        "identifier": [identifier("review-id", review.review_id)],
        "status": "requested" if review.status is domain.ReviewStatus.OPEN else "completed",
        "intent": "order",
        "priority": REVIEW_PRIORITY[review.urgency],
        "code": carepath_concept("pathway", "clinical-review"),
        "reasonCode": carepath_concept("review-trigger", review.reason),
        "focus": reference(plan),
        "for": patient_reference(review.patient_id),
        "authoredOn": instant(review.opened_at),
        "restriction": {"period": {"end": instant(review.respond_by)}},
    }
    if review.decided_by is not None:
        task["owner"] = {"identifier": identifier("clinician-id", review.decided_by)}
    if review.outcome is not None:
        task["output"] = [
            {
                "type": carepath_concept("pathway", "review-outcome"),
                "valueCodeableConcept": carepath_concept("review-outcome", review.outcome),
            }
        ]
    if review.resolved_at is not None:
        task["lastModified"] = instant(review.resolved_at)
    return task


def _pathway_outcome(pathway: domain.Pathway, decisions: list[dict[str, Any]]) -> list[Resource]:
    completed = [d for d in decisions if d["event_type"] == PathwayCompleted.event_type]
    if not completed:
        return []
    data = PathwayCompleted.model_validate(completed[-1]["data"])
    return [
        {
            "resourceType": "Observation",
            "id": fhir_id("pathway-outcome", pathway.patient_id),
            "status": "final",
            "code": carepath_concept("observation", "pathway-outcome"),
            "subject": patient_reference(pathway.patient_id),
            "effectiveDateTime": instant(data.completed_at),
            "valueCodeableConcept": carepath_concept("pathway-outcome", data.outcome),
            "component": [
                {
                    "code": carepath_concept("observation", "pcl5-total"),
                    "valueInteger": data.final_score.total,
                },
                {
                    "code": carepath_concept("observation", "change-from-baseline"),
                    "valueInteger": data.change_from_baseline,
                },
            ],
        }
    ]


def _timepoint_extension(timepoint: Timepoint) -> Resource:
    return {"url": TIMEPOINT_EXTENSION, "valueCoding": carepath_coding("timepoint", timepoint)}

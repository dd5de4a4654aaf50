"""The maintenance series: one infusion every interval, a PCL-5 before each, and the end of
the pathway after the protocol's number of infusions (or earlier, at a review)."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import (
    Instrument,
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayEnd,
    PathwayOutcome,
    Pcl5Score,
    SessionCompleted,
    SessionKind,
    SessionScheduled,
    Timepoint,
    TreatmentProtocol,
)
from carepath_followup.domain.model import (
    Assessment,
    ClinicalDecision,
    Pathway,
    PathwayStatus,
    ScoredAssessment,
    bounded_id,
)
from carepath_followup.domain.response import pathway_outcome


def maintenance_infusion_given(
    pathway: Pathway,
    infusion: SessionCompleted,
    scores: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    *,
    repeated: bool,
) -> tuple[Pathway, list[ClinicalDecision]]:
    """Count a maintenance infusion: the series' last one completes the pathway; any other
    asks infusion for the next one at the series' interval."""
    interval = pathway.maintenance_interval_days
    if infusion.kind is not SessionKind.MAINTENANCE or repeated or interval is None:
        return pathway, []
    given = pathway.maintenance_given + 1
    counted = replace(pathway, maintenance_given=given)
    length = pathway.maintenance_series_length or protocol.maintenance.series_infusions
    if given >= length:
        closed, completed = completion(
            counted,
            scores,
            PathwayEnd.MAINTENANCE_SERIES_COMPLETED,
            protocol,
            infusion.completed_at,
        )
        return closed, [completed]
    following = MaintenanceRecommended(
        interval_days=interval,
        reason_code=MaintenanceReason.SERIES_CONTINUES,
        evidence=[scored.evidence() for scored in _pcl5(scores)[-1:]],
        recommended_at=infusion.completed_at,
        protocol=protocol.ref,
    )
    return counted, [ClinicalDecision(f"maintenance-series:{infusion.session_id}", following)]


def assessment_before_maintenance(
    pathway: Pathway,
    scheduled: SessionScheduled,
    protocol: TreatmentProtocol,
    now: datetime,
) -> Assessment | None:
    """A PCL-5 due the protocol's hours before each booked maintenance infusion (a rebooking
    keeps the session number, and with it the assessment already asked for)."""
    if scheduled.kind is not SessionKind.MAINTENANCE or pathway.status is not PathwayStatus.ACTIVE:
        return None
    before = timedelta(hours=protocol.maintenance.assessment_hours_before_infusion)
    due_at = max(scheduled.scheduled_for - before, now)
    return Assessment(
        assessment_id=bounded_id(
            "asm", pathway.patient_id, Timepoint.BEFORE_MAINTENANCE, str(scheduled.session_number)
        ),
        patient_id=pathway.patient_id,
        timepoint=Timepoint.BEFORE_MAINTENANCE,
        instruments=(Instrument.PCL5,),
        due_at=due_at,
        overdue_at=due_at + timedelta(hours=protocol.assessments.overdue_after_hours),
    )


def completion(
    pathway: Pathway,
    scores: Sequence[ScoredAssessment],
    ended_by: PathwayEnd,
    protocol: TreatmentProtocol,
    now: datetime,
) -> tuple[Pathway, ClinicalDecision]:
    """Close the pathway with the outcome of its last PCL-5 (the baseline when none came)."""
    pcl5 = _pcl5(scores)
    last = pcl5[-1] if pcl5 else None
    if last is None or not isinstance(last.score, Pcl5Score):
        final, outcome = pathway.baseline, PathwayOutcome.NO_RESPONSE
    else:
        final, outcome = last.score, pathway_outcome(pathway, last, pcl5[:-1], protocol)
    completed = PathwayCompleted(
        outcome=outcome,
        final_score=final,
        baseline_total=pathway.baseline.total,
        change_from_baseline=final.total - pathway.baseline.total,
        completed_at=now,
        ended_by=ended_by,
        protocol=protocol.ref,
    )
    closed = replace(pathway, status=PathwayStatus.COMPLETED, closed_at=now)
    return closed, ClinicalDecision("pathway-completed", completed)


def _pcl5(scores: Sequence[ScoredAssessment]) -> list[ScoredAssessment]:
    return [scored for scored in scores if isinstance(scored.score, Pcl5Score)]

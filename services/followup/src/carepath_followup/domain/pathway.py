"""Where a patient's follow-up starts (an eligible screening) and where it is cut short."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from carepath_contracts import PatientScreened, ScheduleAnchor, ScreeningOutcome, TreatmentProtocol
from carepath_followup.domain.model import Assessment, Pathway, PathwayRuleError, PathwayStatus
from carepath_followup.domain.schedule import assessments_anchored


@dataclass(frozen=True)
class StartOutcome:
    pathway: Pathway
    assessments: list[Assessment] = field(default_factory=list)


def pathway_started(
    existing: Pathway | None,
    screened: PatientScreened,
    *,
    patient_id: str,
    pathway_id: str,
    protocol: TreatmentProtocol,
) -> StartOutcome | None:
    """A final, eligible screening opens the pathway with its PCL-5 as the baseline.

    Anything else (not yet final, ineligible) is not follow-up's business: None. A second
    eligible screening keeps the first baseline, so a re-sent result never moves it.
    """
    if not screened.final or screened.outcome is not ScreeningOutcome.ELIGIBLE:
        return None
    if screened.protocol != protocol.ref:
        raise PathwayRuleError(
            f"patient {patient_id} was screened under protocol {screened.protocol.id} "
            f"v{screened.protocol.version}; this follow-up service decides by "
            f"{protocol.id} v{protocol.version}"
        )
    if existing is not None:
        return None
    pathway = Pathway(
        patient_id=patient_id,
        pathway_id=pathway_id,
        protocol=protocol.ref,
        baseline=screened.baseline_pcl5,
        screened_at=screened.screened_at,
    )
    anchored = assessments_anchored(
        pathway, ScheduleAnchor.SCREENING, screened.screened_at, protocol
    )
    return StartOutcome(pathway, anchored)


def pathway_withdrawn(pathway: Pathway, at: datetime) -> Pathway:
    """The patient left: an open pathway closes; a completed one keeps its outcome."""
    if pathway.status is not PathwayStatus.ACTIVE:
        return pathway
    return replace(pathway, status=PathwayStatus.WITHDRAWN, closed_at=at)

"""Follow-up's state as plain values: the pathway, its assessments, scores and therapy sessions."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from carepath_contracts import (
    EventData,
    IesrScore,
    Instrument,
    MaintenanceReason,
    Pcl5Score,
    ProtocolRef,
    ScoreEvidence,
    TherapyModality,
    Timepoint,
)

ID_LIMIT = 64
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class PathwayRuleError(ValueError):
    """An event that the pathway's state can never accept (the handler dead-letters it)."""


class PathwayStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class AssessmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


class TherapyStatus(StrEnum):
    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    MISSED = "missed"


class TimerKind(StrEnum):
    ASSESSMENT_DUE = "assessment-due"
    ASSESSMENT_OVERDUE = "assessment-overdue"
    REVIEW_RESPOND_BY = "review-respond-by"


@dataclass(frozen=True)
class Pathway:
    """One patient's follow-up: baseline, infusion anchors, maintenance and where it stands."""

    patient_id: str
    pathway_id: str
    protocol: ProtocolRef
    baseline: Pcl5Score
    screened_at: datetime
    status: PathwayStatus = PathwayStatus.ACTIVE
    first_infusion_at: datetime | None = None
    last_infusion_at: datetime | None = None
    course_id: str | None = None
    course_completed_at: datetime | None = None
    maintenance_interval_days: int | None = None
    maintenance_reason: MaintenanceReason | None = None
    maintenance_series_length: int | None = None
    maintenance_given: int = 0
    course_suspended_at: datetime | None = None
    closed_at: datetime | None = None

    def baseline_evidence(self) -> ScoreEvidence:
        return ScoreEvidence(
            timepoint=Timepoint.BASELINE,
            instrument=Instrument.PCL5,
            total=self.baseline.total,
            submitted_at=self.screened_at,
        )


@dataclass(frozen=True)
class Assessment:
    """A scheduled assessment timepoint and how far it has got."""

    assessment_id: str
    patient_id: str
    timepoint: Timepoint
    instruments: tuple[Instrument, ...]
    due_at: datetime
    overdue_at: datetime
    status: AssessmentStatus = AssessmentStatus.SCHEDULED
    submitted_instruments: tuple[Instrument, ...] = ()
    submitted_at: datetime | None = None

    @property
    def due_timer_key(self) -> str:
        return f"followup:{TimerKind.ASSESSMENT_DUE}:{self.assessment_id}"

    @property
    def overdue_timer_key(self) -> str:
        return f"followup:{TimerKind.ASSESSMENT_OVERDUE}:{self.assessment_id}"


@dataclass(frozen=True)
class ScoredAssessment:
    """A submission as scored: the score and how it compares with baseline and the last one."""

    event_id: str
    patient_id: str
    assessment_id: str | None
    timepoint: Timepoint | None
    instrument: Instrument
    score: Pcl5Score | IesrScore
    submitted_at: datetime
    change_from_baseline: int | None
    change_from_previous: int | None
    response: bool | None
    remission: bool | None
    items: tuple[int, ...] = ()
    """The responses as submitted, item 1 first (empty: scored before they were kept)."""

    @property
    def total(self) -> int:
        return self.score.total

    def evidence(self) -> ScoreEvidence:
        return ScoreEvidence(
            assessment_id=self.assessment_id,
            timepoint=self.timepoint,
            instrument=self.instrument,
            total=self.total,
            submitted_at=self.submitted_at,
        )


@dataclass(frozen=True)
class TherapySession:
    """A trauma-focused session booked inside the window after an infusion."""

    therapy_session_id: str
    patient_id: str
    after_infusion_session_id: str
    modality: TherapyModality
    earliest_at: datetime
    latest_at: datetime
    scheduled_for: datetime
    status: TherapyStatus = TherapyStatus.SCHEDULED
    status_at: datetime | None = None


@dataclass(frozen=True)
class ClinicalDecision:
    """A review, maintenance or completion decision, emitted once: a second decision with
    the same key is dropped."""

    key: str
    data: EventData


def bounded_id(prefix: str, *parts: str) -> str:
    """A readable, deterministic id within the contracts' id rule (hashed when too long)."""
    readable = "-".join([prefix, *parts])
    if len(readable) <= ID_LIMIT and _ID_PATTERN.match(readable):
        return readable
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    tail = parts[-1] if _ID_PATTERN.match(parts[-1]) and len(parts[-1]) <= 24 else ""
    return "-".join(filter(None, [prefix, digest[: ID_LIMIT - len(prefix) - len(tail) - 2], tail]))


def assessment_id_for(patient_id: str, timepoint: Timepoint) -> str:
    return bounded_id("asm", patient_id, timepoint.value)


def therapy_session_id_for(infusion_session_id: str) -> str:
    return bounded_id("thr", infusion_session_id)


def require_active(pathway: Pathway, what: str) -> None:
    """Withdrawn and completed pathways schedule, score and decide nothing more."""
    if pathway.status is not PathwayStatus.ACTIVE:
        raise PathwayRuleError(
            f"patient {pathway.patient_id}: pathway is {pathway.status} "
            f"(since {pathway.closed_at.isoformat() if pathway.closed_at else 'unknown'}); "
            f"{what} refused"
        )

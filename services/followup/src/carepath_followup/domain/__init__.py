"""Follow-up's pure rules: schedule, therapy, scoring and decisions (no I/O, no clock)."""

from carepath_followup.domain.course import (
    InfusionOutcome,
    course_completed,
    infusion_completed,
    safety_alert_review,
    suspension_review,
)
from carepath_followup.domain.decisions import DecisionOutcome, decide_after_score
from carepath_followup.domain.model import (
    Assessment,
    AssessmentStatus,
    ClinicalDecision,
    Pathway,
    PathwayRuleError,
    PathwayStatus,
    ScoredAssessment,
    TherapySession,
    TherapyStatus,
    TimerKind,
    assessment_id_for,
    therapy_session_id_for,
)
from carepath_followup.domain.pathway import pathway_started, pathway_withdrawn
from carepath_followup.domain.schedule import (
    TimerOutcome,
    assessment_fell_due,
    assessment_timers,
    assessment_went_overdue,
    closing_timepoint,
)
from carepath_followup.domain.scoring import ScoringOutcome, score_submission
from carepath_followup.domain.therapy import attendance_recorded

__all__ = [
    "Assessment",
    "AssessmentStatus",
    "ClinicalDecision",
    "DecisionOutcome",
    "InfusionOutcome",
    "Pathway",
    "PathwayRuleError",
    "PathwayStatus",
    "ScoredAssessment",
    "ScoringOutcome",
    "TherapySession",
    "TherapyStatus",
    "TimerKind",
    "TimerOutcome",
    "assessment_fell_due",
    "assessment_id_for",
    "assessment_timers",
    "assessment_went_overdue",
    "attendance_recorded",
    "closing_timepoint",
    "course_completed",
    "decide_after_score",
    "infusion_completed",
    "pathway_started",
    "pathway_withdrawn",
    "safety_alert_review",
    "score_submission",
    "suspension_review",
    "therapy_session_id_for",
]

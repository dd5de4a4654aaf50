"""Follow-up's pure rules: schedule, therapy, scoring and decisions (no I/O, no clock)."""

from carepath_followup.domain.course import (
    InfusionOutcome,
    course_completed,
    course_suspended,
    infusion_completed,
)
from carepath_followup.domain.decisions import DecisionOutcome, decide_after_score
from carepath_followup.domain.maintenance import (
    assessment_before_maintenance,
    maintenance_infusion_given,
)
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
from carepath_followup.domain.outcomes import OutcomeChange, OutcomeDecision, record_outcome
from carepath_followup.domain.pathway import pathway_started, pathway_withdrawn
from carepath_followup.domain.reviews import (
    Review,
    ReviewChange,
    ReviewRequest,
    ReviewStatus,
    open_review,
    review_id_for,
    review_went_overdue,
)
from carepath_followup.domain.schedule import (
    TimerOutcome,
    assessment_fell_due,
    assessment_timers,
    assessment_went_overdue,
    closing_timepoint,
)
from carepath_followup.domain.scoring import ScoringOutcome, score_submission
from carepath_followup.domain.therapy import attendance_recorded
from carepath_followup.domain.triggers import TRIGGERS, Fact, TriggerPolicy, review_requests

__all__ = [
    "TRIGGERS",
    "Assessment",
    "AssessmentStatus",
    "ClinicalDecision",
    "DecisionOutcome",
    "Fact",
    "InfusionOutcome",
    "OutcomeChange",
    "OutcomeDecision",
    "Pathway",
    "PathwayRuleError",
    "PathwayStatus",
    "Review",
    "ReviewChange",
    "ReviewRequest",
    "ReviewStatus",
    "ScoredAssessment",
    "ScoringOutcome",
    "TherapySession",
    "TherapyStatus",
    "TimerKind",
    "TimerOutcome",
    "TriggerPolicy",
    "assessment_before_maintenance",
    "assessment_fell_due",
    "assessment_id_for",
    "assessment_timers",
    "assessment_went_overdue",
    "attendance_recorded",
    "closing_timepoint",
    "course_completed",
    "course_suspended",
    "decide_after_score",
    "infusion_completed",
    "maintenance_infusion_given",
    "open_review",
    "pathway_started",
    "pathway_withdrawn",
    "record_outcome",
    "review_id_for",
    "review_requests",
    "review_went_overdue",
    "score_submission",
    "therapy_session_id_for",
]

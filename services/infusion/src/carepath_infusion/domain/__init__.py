"""Infusion's pure rules: course planning, session gates, safety, discharge and rebooking."""

from carepath_infusion.domain.booking import MISSED_TIMER
from carepath_infusion.domain.calendar import ClinicCalendar, Policy
from carepath_infusion.domain.course import plan_course, recommend_maintenance, withdraw
from carepath_infusion.domain.model import (
    NOTHING,
    Course,
    CourseChange,
    CourseStatus,
    Dose,
    HistoryEntry,
    RuleBroken,
    Session,
    SessionStatus,
)
from carepath_infusion.domain.monitoring import (
    SILENCE_TIMER,
    monitor_silent,
    silence_due,
    silence_timer_key,
)
from carepath_infusion.domain.outcomes import act_on_review_outcome
from carepath_infusion.domain.safety import SafetyOutcome, alert_history, assess_reading, monitor
from carepath_infusion.domain.sessions import (
    abort_session,
    check_in,
    discharge,
    end_session,
    miss_session,
)
from carepath_infusion.domain.vitals import ReadingDecision, WatchedSession, judge_reading

__all__ = [
    "MISSED_TIMER",
    "NOTHING",
    "SILENCE_TIMER",
    "ClinicCalendar",
    "Course",
    "CourseChange",
    "CourseStatus",
    "Dose",
    "HistoryEntry",
    "Policy",
    "ReadingDecision",
    "RuleBroken",
    "SafetyOutcome",
    "Session",
    "SessionStatus",
    "WatchedSession",
    "abort_session",
    "act_on_review_outcome",
    "alert_history",
    "assess_reading",
    "check_in",
    "discharge",
    "end_session",
    "judge_reading",
    "miss_session",
    "monitor",
    "monitor_silent",
    "plan_course",
    "recommend_maintenance",
    "silence_due",
    "silence_timer_key",
    "withdraw",
]

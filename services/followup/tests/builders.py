"""Contract events and domain values for follow-up's tests, with random patient ids."""

import uuid
from datetime import UTC, datetime, timedelta

from carepath_contracts import (
    AssessmentSubmitted,
    CourseCompleted,
    CourseSuspended,
    DischargeAssessed,
    DischargeCriterion,
    Instrument,
    PatientScreened,
    PatientWithdrawn,
    SafetyAction,
    SafetyAlert,
    SafetyRule,
    ScreeningOutcome,
    SessionCompleted,
    SessionKind,
    SuspensionReason,
    TherapySessionAttended,
    TherapySessionMissed,
    VitalUnit,
    WithdrawalReason,
    default_protocol,
    new_event,
    score_pcl5,
)
from carepath_followup import domain

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PROTOCOL = default_protocol()
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def new_patient() -> tuple[str, str]:
    """A random (patient id, pathway id)."""
    token = uuid.uuid4().hex[:12]
    return f"p-{token}", f"pw-{token}"


def pcl5_items(total: int) -> list[int]:
    """Twenty PCL-5 responses adding up to `total` (fours first)."""
    fours, rest = divmod(total, 4)
    items = [4] * fours + ([rest] if rest else [])
    return items + [0] * (20 - len(items))


def pathway(baseline_total: int = 52, **changes) -> domain.Pathway:
    patient_id, pathway_id = new_patient()
    values = {
        "patient_id": patient_id,
        "pathway_id": pathway_id,
        "protocol": PROTOCOL.ref,
        "baseline": score_pcl5(pcl5_items(baseline_total), PROTOCOL),
        "screened_at": T0 - DAY,
    }
    return domain.Pathway(**(values | changes))


def screened_data(baseline_total: int = 52, **changes) -> PatientScreened:
    values = {
        "outcome": ScreeningOutcome.ELIGIBLE,
        "baseline_pcl5": score_pcl5(pcl5_items(baseline_total), PROTOCOL),
        "dosing_weight_kg": 82.5,
        "final": True,
        "protocol": PROTOCOL.ref,
        "screened_at": T0 - DAY,
    }
    return PatientScreened(**(values | changes))


def infusion_data(number: int, at: datetime, *, last: bool = False, **changes) -> SessionCompleted:
    values = {
        "session_id": f"s-{uuid.uuid4().hex[:10]}-{number}",
        "course_id": "course-1",
        "session_number": number,
        "kind": SessionKind.INDUCTION,
        "dose_planned_mg": 41.3,
        "dose_given_mg": 41.3,
        "dose_deviation": False,
        "duration_minutes": 40,
        "serious_adverse_event": False,
        "completed_at": at,
        "is_last_induction_session": last,
        "protocol": PROTOCOL.ref,
    }
    return SessionCompleted(**(values | changes))


def submission_data(
    total: int | None = None,
    at: datetime = T0,
    *,
    assessment_id: str | None = None,
    items: list[int] | None = None,
    instrument: Instrument = Instrument.PCL5,
) -> AssessmentSubmitted:
    return AssessmentSubmitted(
        assessment_id=assessment_id,
        instrument=instrument,
        items=items if items is not None else pcl5_items(total or 0),
        submitted_at=at,
    )


def course_completed_data(at: datetime, last_session_id: str = "s-last") -> CourseCompleted:
    return CourseCompleted(
        course_id="course-1",
        sessions_completed=PROTOCOL.course.induction_sessions,
        last_session_id=last_session_id,
        completed_at=at,
        protocol=PROTOCOL.ref,
    )


def suspended_data(reason: SuspensionReason, at: datetime = T0) -> CourseSuspended:
    return CourseSuspended(
        course_id="course-1",
        reason_code=reason,
        session_id="s-3",
        suspended_at=at,
        protocol=PROTOCOL.ref,
    )


def alert_data(
    action: SafetyAction, session_id: str = "s-3", rule: SafetyRule = SafetyRule.SPO2_LOW
) -> SafetyAlert:
    return SafetyAlert(
        session_id=session_id,
        rule=rule,
        action=action,
        reading_value=89,
        threshold_value=92,
        unit=VitalUnit.PERCENT,
        measured_at=T0,
        protocol=PROTOCOL.ref,
    )


def discharge_data(criteria_met: bool, session_id: str = "s-3") -> DischargeAssessed:
    return DischargeAssessed(
        session_id=session_id,
        criteria_met=criteria_met,
        unmet_criteria=[] if criteria_met else [DischargeCriterion.ESCORT_ABSENT],
        observed_minutes=125,
        assessed_at=T0,
        protocol=PROTOCOL.ref,
    )


def withdrawn_data(at: datetime = T0) -> PatientWithdrawn:
    return PatientWithdrawn(reason_code=WithdrawalReason.PATIENT_REQUEST, withdrawn_at=at)


def attended_data(therapy_session_id: str, at: datetime) -> TherapySessionAttended:
    return TherapySessionAttended(therapy_session_id=therapy_session_id, attended_at=at)


def missed_data(therapy_session_id: str, at: datetime) -> TherapySessionMissed:
    return TherapySessionMissed(therapy_session_id=therapy_session_id, missed_at=at)


SOURCES = {
    "intake": "carepath/intake",
    "infusion": "carepath/infusion",
    "followup": "patient-app/mobile",
}


def event(data, patient_id: str, pathway_id: str, *, time: datetime = T0, event_id=None):
    """The data in an envelope from its usual producer (intake, infusion, or the patient app)."""
    service = data.event_type.split(".")[1]
    return new_event(
        data,
        subject=patient_id,
        correlation_id=pathway_id,
        source=SOURCES[service],
        time=time,
        event_id=event_id,
    )

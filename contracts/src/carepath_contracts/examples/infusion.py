"""Examples of infusion's inbound facts and published events."""

from carepath_contracts import infusion as inf
from carepath_contracts.codes import SafetyAction, SafetyRule, VitalUnit
from carepath_contracts.examples.patient import COURSE_ID, PROTOCOL, SESSION_ID, VITALS, Example, at
from carepath_contracts.values import Vitals

INFUSION_EXAMPLES: tuple[Example, ...] = (
    Example(
        at(0, -20),
        inf.SessionCheckedIn(
            session_id=SESSION_ID,
            checked_in_at=at(0, -20),
            vitals=VITALS,
            pregnancy_test=inf.PregnancyTest.NOT_APPLICABLE,
            escort_present=True,
        ),
    ),
    Example(
        at(0, 20),
        inf.VitalsRecorded(
            session_id=SESSION_ID,
            measured_at=at(0, 20),
            systolic_mmhg=146,
            diastolic_mmhg=88,
            heart_rate_bpm=84,
            spo2_percent=97,
            respiratory_rate_per_min=14,
        ),
    ),
    Example(
        at(0, 40),
        inf.SessionEnded(
            session_id=SESSION_ID,
            ended_at=at(0, 40),
            dose_given_mg=41.3,
            duration_minutes=40,
            adverse_effects=[inf.AdverseEffect.NAUSEA, inf.AdverseEffect.DIZZINESS],
            peak_dissociation_cadss=21,
            serious_adverse_event=False,
        ),
    ),
    Example(
        at(0, 25),
        inf.SessionAbortReported(
            session_id=SESSION_ID,
            aborted_at=at(0, 25),
            reason_code=inf.AbortReason.SAFETY_ALERT,
            dose_given_mg=25.8,
        ),
    ),
    Example(
        at(0, 165),
        inf.PatientDischarged(
            session_id=SESSION_ID,
            discharged_at=at(0, 165),
            vitals=Vitals(systolic_mmhg=132, diastolic_mmhg=84, heart_rate_bpm=78, spo2_percent=98),
            dissociation_resolved=True,
            escort_present=True,
            no_driving_instruction_given=True,
        ),
    ),
    Example(
        at(-3, 1),
        inf.CoursePlanned(
            course_id=COURSE_ID,
            session_count=6,
            first_session_at=at(0),
            window_ends_at=at(21),
            dose_mg=41.3,
            rate_mg_per_min=1.03,
            duration_minutes=40,
            dosing_weight_kg=82.5,
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(-3, 1),
        inf.SessionScheduled(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            kind=inf.SessionKind.INDUCTION,
            scheduled_for=at(0),
            dose_mg=41.3,
            rate_mg_per_min=1.03,
            duration_minutes=40,
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, -15),
        inf.SessionCleared(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            cleared_at=at(0, -15),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, -15),
        inf.SessionDeferred(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            reason_codes=[inf.DeferralReason.SYSTOLIC_ABOVE_LIMIT],
            deferred_at=at(0, -15),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 20),
        inf.SafetyAlert(
            session_id=SESSION_ID,
            rule=SafetyRule.SYSTOLIC_HIGH,
            action=SafetyAction.PAUSE,
            reading_value=184,
            threshold_value=180,
            unit=VitalUnit.MMHG,
            measured_at=at(0, 20),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 40),
        inf.SessionCompleted(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            kind=inf.SessionKind.INDUCTION,
            dose_planned_mg=41.3,
            dose_given_mg=41.3,
            dose_deviation=False,
            duration_minutes=40,
            adverse_effects=[inf.AdverseEffect.NAUSEA],
            peak_dissociation_cadss=21,
            serious_adverse_event=False,
            completed_at=at(0, 40),
            is_last_induction_session=False,
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 25),
        inf.SessionAborted(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            kind=inf.SessionKind.INDUCTION,
            reason_code=inf.AbortReason.SAFETY_ALERT,
            dose_given_mg=25.8,
            aborted_at=at(0, 25),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 120),
        inf.SessionMissed(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            kind=inf.SessionKind.INDUCTION,
            scheduled_for=at(0),
            missed_at=at(0, 120),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(-1),
        inf.SessionCancelled(
            session_id=SESSION_ID,
            course_id=COURSE_ID,
            session_number=1,
            reason_code=inf.CancellationReason.PATIENT_WITHDRAWN,
            cancelled_at=at(-1),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 165),
        inf.DischargeAssessed(
            session_id=SESSION_ID,
            criteria_met=True,
            observed_minutes=125,
            assessed_at=at(0, 165),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(11, 40),
        inf.CourseCompleted(
            course_id=COURSE_ID,
            sessions_completed=6,
            last_session_id="session-9d41f0e3-06",
            completed_at=at(11, 40),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(0, 45),
        inf.CourseSuspended(
            course_id=COURSE_ID,
            reason_code=inf.SuspensionReason.SERIOUS_ADVERSE_EVENT,
            session_id=SESSION_ID,
            suspended_at=at(0, 45),
            protocol=PROTOCOL,
        ),
    ),
    Example(
        at(-2),
        inf.PlanningFailed(
            reason_code=inf.PlanningFailure.DOSE_ABOVE_MAXIMUM,
            kind=inf.SessionKind.INDUCTION,
            dose_mg=65.0,
            max_dose_mg=60.0,
            failed_at=at(-2),
            protocol=PROTOCOL,
        ),
    ),
)
